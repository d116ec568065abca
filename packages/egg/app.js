'use strict';
// egg loads this from the plugin root (egg 3 and 4): the boot class of the app workers.
module.exports = require('@sofa-tracer/egg').SofaTracerAppBoot;
