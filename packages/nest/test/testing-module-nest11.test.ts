import { useNest } from './support/nest-version';

useNest('nest11');
// loaded after useNest(): the suite's Nest imports resolve to Nest 11
(
  require('./support/testing-module-suite') as typeof import('./support/testing-module-suite')
).defineTestingModuleSuite('nest11');
