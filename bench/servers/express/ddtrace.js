'use strict';
// Variant "ddtrace": Datadog's dd-trace-js 5 with its default http + express instrumentation,
// 100% sampled, exporting to the stub agent the runner starts (DD_TRACE_AGENT_URL, see
// bench/stub-dd-agent.js). Everything but tracing is off (telemetry, remote config, runtime
// metrics, profiling, AppSec/IAST), so it does the same job as the sofa variant: a span per
// request, serialised and shipped out of the process. dd-trace must load before express.
Object.assign(process.env, {
  DD_TRACE_SAMPLE_RATE: '1',
  DD_TRACE_STARTUP_LOGS: 'false',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  DD_RUNTIME_METRICS_ENABLED: 'false',
  DD_PROFILING_ENABLED: 'false',
  DD_APPSEC_ENABLED: 'false',
  DD_IAST_ENABLED: 'false',
  DD_DATA_STREAMS_ENABLED: 'false',
  DD_TRACE_STATS_COMPUTATION_ENABLED: 'false',
});
if (!process.env.DD_TRACE_AGENT_URL) throw new Error('ddtrace variant: DD_TRACE_AGENT_URL (the stub agent) is not set');
const tracer = require('dd-trace').init({ service: 'bench-ddtrace', env: 'bench' });

const { serve } = require('../common');

serve(require('express'), undefined, async () => {
  await new Promise((resolve) => tracer.flush(resolve));
  return {};
});
