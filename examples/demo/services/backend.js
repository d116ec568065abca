'use strict';
// The backend service ("demo-backend", express): item lookups (called by the egg BFF), one slow
// endpoint and one that fails (called by the gateway). It continues its callers' traces: its
// server spans are children of their client spans (0.1 → 0.1.1).
const { startTracer, run, sleep } = require('./service');

const tracer = startTracer('demo-backend');
const express = require('express');
const { sofaTracer } = require('@sofa-tracer/express');

const app = express();
app.use(sofaTracer());

app.get('/items/:id', async (req, res) => {
  await sleep(5); // "a database call"
  res.json({ id: req.params.id, name: `item ${req.params.id}` });
});

app.get('/slow', async (req, res) => {
  await sleep(Number(req.query.ms) || 300);
  res.json({ slow: true });
});

app.get('/boom', () => {
  throw new Error('inventory service unavailable');
});

// express's default handler would print the stack; answer with JSON instead (the span records
// the thrown error either way).
// eslint-disable-next-line no-unused-vars
app.use((err, req, res, next) => {
  res.status(500).json({ error: err.message });
});

run(app, { tracer });
