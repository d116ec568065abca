'use strict';
// app.tracer: the tracer-slot object egg passes to urllib outside requests
module.exports = require('@sofa-tracer/egg').applicationExtension;
