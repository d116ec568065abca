'use strict';
// Shared by the zipkin benches: built packages, realistic finished spans, a dead collector port.
const path = require('node:path');
const net = require('node:net');

const root = path.resolve(__dirname, '..', '..');
const core = require(path.join(root, 'core', 'dist', 'index.js'));
const zipkin = require(path.join(root, 'zipkin', 'dist', 'index.js'));

/** A finished express server span / http client span as the plugins report them. */
function span(i, sampled = true) {
  const client = i % 3 === 2;
  const spanId = client ? '0.1.1.' + (i % 7) : '0.1.1';
  const ctx = new core.SpanContext(
    '0a0fe92715674779853271002' + String(10000 + (i % 50000)).slice(-5),
    spanId,
    spanId.slice(0, spanId.lastIndexOf('.')),
    sampled,
  );
  const start = Date.now();
  return {
    operationName: client ? 'GET' : 'GET /users/:id',
    kind: client ? 'client' : 'server',
    logType: client ? 'httpclient' : 'express',
    localApp: 'shop',
    startTime: start,
    endTime: start + 3,
    durationMs: 2.75,
    resultCode: '200',
    error: undefined,
    tags: client
      ? {
          'request.url': 'http://10.0.0.2:8080/items/42',
          method: 'GET',
          'req.size.bytes': 0,
          'resp.size.bytes': 512,
          'remote.app': '',
          'remote.host': '10.0.0.2:8080',
        }
      : {
          'request.url': 'http://shop/users/42',
          method: 'GET',
          'req.size.bytes': -1,
          'resp.size.bytes': 1024,
          error: '',
          route: '/users/:id',
        },
    logs: [],
    threadName: 'main',
    finished: true,
    context: () => ctx,
  };
}

/** A port nothing listens on. */
function deadPort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

module.exports = { core, zipkin, span, deadPort };
