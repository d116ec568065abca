import { useNest } from './support/nest-version';

useNest('nest11');
// loaded after useNest(): the suite's Nest imports resolve to Nest 11
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require('./support/suite') as typeof import('./support/suite')).defineSuite('nest11', 'fastify');
