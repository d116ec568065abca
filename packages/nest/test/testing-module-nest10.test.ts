import { useNest } from './support/nest-version';

useNest('nest10');
// loaded after useNest(): the suite's Nest imports resolve to Nest 10
(
  require('./support/testing-module-suite') as typeof import('./support/testing-module-suite')
).defineTestingModuleSuite('nest10');
