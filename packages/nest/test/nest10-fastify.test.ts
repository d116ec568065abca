import { useNest } from './support/nest-version';

useNest('nest10');
// loaded after useNest(): the suite's Nest imports resolve to Nest 10
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./support/suite') as typeof import('./support/suite')).defineSuite('nest10', 'fastify');
