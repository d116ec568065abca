'use strict';
// Variant "bare": Nest 11 hello-world on the express adapter, no tracing.
require('./_nest-app').serveNest('express', []);
