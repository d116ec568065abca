'use strict';
// Variant "bare": koa hello-world, no tracing.
require('./_koa-app').serveKoa();
