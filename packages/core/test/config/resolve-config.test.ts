import { join } from 'node:path';
import { homedir } from 'node:os';
import { ConfigError, resolveConfig } from '../../src';

describe('configuration: options → env → defaults, validated at start-up', () => {
  it('uses defaults matching Java', () => {
    const c = resolveConfig({ appName: 'a' }, {});
    expect(c.traceLogDir).toBe(join(homedir(), 'logs', 'tracelog'));
    expect(c.rollingPolicy).toBe('daily');
    expect(c.retentionMs).toBe(7 * 24 * 3600 * 1000);
    expect(c.statLogIntervalMs).toBe(60_000);
    expect(c.baggageMaxLength).toBe(1024);
    expect(c.samplerPercentage).toBe(100);
    expect(c.jsonOutput).toBe(true);
    expect(c.discardOutThreshold).toBe(500);
    expect(c.logDiscardedIds).toBe(false);
    expect(c.propagationInject).toEqual(['sofa-b3', 'w3c']);
    expect(c.propagationExtract).toEqual(['sofa-b3', 'sftc', 'w3c', 'b3']);
    expect(c.lineSeparator).toBe('\r\n');
  });

  it('reads the environment (Java names where Java has one) and lets options win', () => {
    const env = {
      SOFA_TRACER_APP_NAME: 'from-env',
      SOFA_TRACER_LOGGING_PATH: '/var/log/x',
      SOFA_TRACER_ROLLING_POLICY: '.yyyy-MM-dd_HH',
      SOFA_TRACER_STAT_LOG_INTERVAL: '0.5',
      SOFA_TRACER_SAMPLER_PERCENTAGE: '10',
      SOFA_TRACER_JSON_OUTPUT: 'false',
      SOFA_TRACER_DISABLED_DIGEST_LOGS: 'httpclient, express',
      SOFA_TRACER_LOG_RESERVE_DAY: '2D12H',
      SOFA_TRACER_LOG_ROLLING: 'express-digest.log=hourly',
      SOFA_TRACER_PROPAGATION_INJECT: 'w3c',
    };
    const c = resolveConfig({}, env);
    expect(c.appName).toBe('from-env');
    expect(c.traceLogDir).toBe('/var/log/x/tracelog');
    expect(c.rollingPolicy).toBe('hourly');
    expect(c.statLogIntervalMs).toBe(500);
    expect(c.samplerPercentage).toBe(10);
    expect(c.jsonOutput).toBe(false);
    expect(c.disabledDigestLogs).toEqual(['httpclient', 'express']);
    expect(c.retentionMs).toBe(60 * 3600 * 1000);
    expect(c.logRolling).toEqual({ 'express-digest.log': 'hourly' });
    expect(c.propagationInject).toEqual(['w3c']);
    expect(resolveConfig({ appName: 'opt', samplerPercentage: 50 }, env).appName).toBe('opt');
    expect(resolveConfig({ appName: 'opt', samplerPercentage: 50 }, env).samplerPercentage).toBe(50);
  });

  it('puts files under tracelog/<pid> when asked', () => {
    expect(resolveConfig({ appName: 'a', logDir: '/l', logPerPid: true }, {}).traceLogDir).toBe(
      `/l/tracelog/${process.pid}`,
    );
  });

  it.each([
    [{ samplerPercentage: 101 }, /samplerPercentage: 101; accepted: a number from 0 to 100/],
    [{ rollingPolicy: 'weekly' }, /rollingPolicy: "weekly"; accepted: daily, hourly/],
    [{ statLogInterval: -1 }, /statLogInterval/],
    [
      { propagationInject: ['sofa-b3', 'zipkin'] },
      /propagationInject.*accepted: a list of: sofa-b3, sftc, w3c, b3/,
    ],
    [{ logReserveDays: 'forever' }, /logReserveDays: "forever"; accepted: days/],
    [{ jsonOutput: 'yes' }, /jsonOutput: "yes"; accepted: true or false/],
    [{ asyncQueueCapacity: 1.5 }, /asyncQueueCapacity/],
    [{ sampler: 42 }, /sampler: 42; accepted: a function/],
    [{ logClock: 1700000000000 }, /logClock: 1700000000000; accepted: a function \(\) => epoch milliseconds/],
    [{ appName: '' }, /appName: ""; accepted: a non-empty string/],
    [{ bogus: 1 }, /option name "bogus"/],
  ])('rejects %j with a message naming the option and the accepted values', (opts, message) => {
    expect(() => resolveConfig({ appName: 'a', ...opts } as never, {})).toThrow(message);
    expect(() => resolveConfig({ appName: 'a', ...opts } as never, {})).toThrow(ConfigError);
  });

  it('rejects bad environment values naming the variable', () => {
    expect(() => resolveConfig({ appName: 'a' }, { SOFA_TRACER_JSON_OUTPUT: 'maybe' })).toThrow(
      /jsonOutput: "maybe"/,
    );
    expect(() => resolveConfig({ appName: 'a' }, { SOFA_TRACER_SAMPLER_PERCENTAGE: 'lots' })).toThrow(
      /samplerPercentage/,
    );
  });

  it('derives appName from the main module package.json, else explains how to set it', () => {
    const { appNameFromPackageJson } = require('../../src/config/app-name');
    expect(appNameFromPackageJson(join(__dirname, '..', '..', 'src', 'index.ts'))).toBe('@sofa-tracer/core');
    expect(appNameFromPackageJson('/nonexistent/dir/main.js')).toBeUndefined();
    // A main module with no package.json anywhere above it: init() explains how to name the app.
    const { writeFileSync, mkdtempSync } = require('node:fs');
    const { execFileSync } = require('node:child_process');
    const dir = mkdtempSync(join(require('node:os').tmpdir(), 'noname-'));
    const main = join(dir, 'main.js');
    writeFileSync(
      main,
      `try { require(${JSON.stringify(join(__dirname, '..', '..', 'dist', 'index.js'))}).init({ logDir: ${JSON.stringify(dir)} }); console.log('no error'); } catch (e) { console.log(e.message); }`,
    );
    const env = { ...process.env };
    delete env.SOFA_TRACER_APP_NAME;
    expect(execFileSync(process.execPath, [main], { env, encoding: 'utf8' })).toMatch(
      /invalid appName: .*SOFA_TRACER_APP_NAME.*package\.json/,
    );
  });
});
