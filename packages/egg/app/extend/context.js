'use strict';
// ctx.tracer (one config.tracer.Class instance per context) and ctx.traceId
module.exports = require('@sofa-tracer/egg').contextExtension;
