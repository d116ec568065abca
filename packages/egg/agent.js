'use strict';
// egg loads this from the plugin root (egg 3 and 4): the agent's boot class (cluster /metrics).
module.exports = require('@sofa-tracer/egg').SofaTracerAgentBoot;
