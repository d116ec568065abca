'use strict';

/**
 * config.sofaTracer: every @sofa-tracer/core option (appName defaults to egg's app name), plus
 * ignorePaths, extractFormats, redactQuery, customTags, httpClient, schedule. See the README.
 */
exports.sofaTracer = {};

/**
 * egg's tracer slot (the egg-tracer convention): ctx.tracer is `new Class(ctx)`; egg-logger prints
 * its traceId. An app may set its own Class; this one gives the SOFA trace id.
 */
exports.tracer = {
  Class: require('@sofa-tracer/egg').SofaEggTracer,
};
