'use strict';
// A stand-in for the Datadog agent, for the dd-trace peer in the benchmarks: accepts every
// payload dd-trace sends (traces, stats, telemetry, info probes) on 127.0.0.1, discards it and
// answers as the agent does, so the traced server pays its whole export cost (encoding, HTTP)
// and nothing leaves the machine. Runs in the bench runner's process, i.e. on the client's CPU,
// as a real agent runs beside the app, not inside it.
const http = require('node:http');

/**
 * Starts the stub agent on an ephemeral port.
 * @returns {Promise<{ url: string, stats: () => { payloads: number, traces: number, bytes: number }, close: () => Promise<void> }>}
 */
function startStubAgent() {
  const counters = { payloads: 0, traces: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    const isTraces = req.url.startsWith('/v0.4/traces') || req.url.startsWith('/v0.5/traces');
    req.on('data', (chunk) => {
      counters.bytes += chunk.length;
    });
    req.on('end', () => {
      if (isTraces) {
        counters.payloads++;
        counters.traces += Number(req.headers['x-datadog-trace-count']) || 0;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"rate_by_service":{"service:,env:":1}}');
      } else if (req.url === '/info') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"version":"stub","endpoints":["/v0.4/traces"],"client_drop_p0s":false}');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        stats: () => ({ ...counters }),
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

module.exports = { startStubAgent };
