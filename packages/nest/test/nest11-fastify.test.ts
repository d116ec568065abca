import { useNest } from './support/nest-version';

useNest('nest11');
// loaded after useNest(): the suite's Nest imports resolve to Nest 11
(require('./support/suite') as typeof import('./support/suite')).defineSuite('nest11', 'fastify');
