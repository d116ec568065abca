import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { enableLookout } from '@sofa-tracer/lookout';
import { requireBinary } from './helpers/binaries';
import { feedKafkaMetrics } from './helpers/kafka';
import { sampleLines } from './helpers/prom-parse';

// The shipped Kafka alert rules: valid, unit-tested with promtool (each alert fires on its
// scenario and stays quiet on the near miss), and written only against series lookout exports.

const run = promisify(execFile);
const DIR = join(__dirname, '..', 'prometheus');
const RULES = join(DIR, 'kafka-alert-rules.yml');

describe('Kafka alert rules', () => {
  it('promtool check rules: valid, six rules', async () => {
    const { stdout } = await run(requireBinary('promtool'), ['check', 'rules', RULES]);
    expect(stdout).toContain('SUCCESS: 6 rules found');
  });

  it('promtool test rules: lag high, lag growing, stalled, producer errors, consumer errors, latency', async () => {
    const { stdout } = await run(
      requireBinary('promtool'),
      ['test', 'rules', join(DIR, 'kafka-alert-rules.test.yml')],
      {
        cwd: DIR,
      },
    );
    expect(stdout).toContain('SUCCESS');
    const tests = readFileSync(join(DIR, 'kafka-alert-rules.test.yml'), 'utf8');
    for (const alert of [
      'KafkaConsumerGroupLagHigh',
      'KafkaConsumerGroupLagGrowing',
      'KafkaConsumerStalled',
      'KafkaProducerErrors',
      'KafkaConsumerErrors',
      'KafkaConsumeLatencyHigh',
    ])
      expect(tests).toContain(`alertname: ${alert}\n        exp_alerts:\n          - exp_labels:`);
  });

  it('every alert has a for: duration and a severity label', () => {
    const alerts = readFileSync(RULES, 'utf8')
      .split(/\n\s+- alert: /)
      .slice(1);
    expect(alerts).toHaveLength(6);
    for (const a of alerts) {
      expect(a).toMatch(/\n\s+for: \d+m\n/);
      expect(a).toMatch(/\n\s+severity: (critical|warning|info)\n/);
    }
  });

  it('only uses metric names lookout exports', async () => {
    const lookout = enableLookout({
      tracer: false,
      port: false,
      runtimeMetrics: false,
      logger: { warn() {} },
    });
    let text: string;
    try {
      feedKafkaMetrics(lookout.kafkaMetrics!);
      text = (await lookout.metrics()).body;
    } finally {
      await lookout.close();
    }
    const exported = new Set(sampleLines(text).map((s) => s.name));
    const used = new Set<string>();
    const exprs = readFileSync(RULES, 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    for (const m of exprs.matchAll(/\b(kafka_[a-z_]+)\b/g)) used.add(m[1]);
    expect([...used].sort()).toEqual([
      'kafka_consumer_errors_total',
      'kafka_consumer_latency_seconds_bucket',
      'kafka_consumer_messages_total',
      'kafka_consumergroup_current_offset',
      'kafka_consumergroup_lag',
      'kafka_producer_errors_total',
      'kafka_producer_messages_total',
    ]);
    expect([...used].filter((n) => !exported.has(n))).toEqual([]);
  });
});
