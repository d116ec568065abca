'use strict';
// Variant "als": express hello-world with nothing but one AsyncLocalStorage.run per request —
// the floor any tracer that keeps a current span across async work pays on this Node version
// (both sofa-tracer and OpenTelemetry do). Not a tracer; a reference point.
const { AsyncLocalStorage } = require('node:async_hooks');
const { serve } = require('../common');

const storage = new AsyncLocalStorage();

serve(require('express'), (app) =>
  app.use((req, res, next) => {
    storage.run(req, next);
  }),
);
