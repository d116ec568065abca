import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTracer } from '@sofa-tracer/core';
import { sofaTracer } from '@sofa-tracer/express';
import { EXPRESS_VERSIONS, serverOf, type ExpressLike } from './express-apps';
import { listen } from './helpers';

type Res = { send(b: string): void };

// What users see when the log disk is unusable: the app keeps answering, the lost lines are
// counted, a warning says so (stderr: tracer-self.log is on the same broken path), and writing
// resumes once the directory is usable again.
describe.each(EXPRESS_VERSIONS)('%s with an unwritable log directory', (_label, load) => {
  const express: ExpressLike = load();

  it('keeps serving, counts the lost lines, warns, and resumes when the directory is fixed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sofa-diskfault-'));
    const logDir = join(root, 'logs');
    writeFileSync(logDir, 'a regular file where the log directory should be'); // fails even as root
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const tracer = createTracer({ appName: 'faulty', logDir, statLogInterval: 3600 });
    try {
      const app = express();
      app.use(sofaTracer({ tracer }));
      app.get('/ok', (_q: unknown, r: Res) => r.send('ok'));
      const s = await listen(serverOf(app));
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) statuses.push((await fetch(s.url + '/ok')).status);
      await tracer.flush();
      expect(statuses.every((c) => c === 200)).toBe(true);
      const lost = tracer.fileStats()['express-digest.log']!;
      expect(lost.failed).toBe(50);
      expect(lost.written).toBe(0);
      const warnings = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(warnings).toMatch(/express-digest\.log/);

      // the operator fixes the disk: the next lines are written
      rmSync(logDir);
      mkdirSync(logDir);
      for (let i = 0; i < 5; i++) expect((await fetch(s.url + '/ok')).status).toBe(200);
      await tracer.flush();
      const lines = readFileSync(join(logDir, 'tracelog', 'express-digest.log'), 'utf8')
        .split(/\r?\n/)
        .filter(Boolean);
      expect(lines).toHaveLength(5);
      expect(JSON.parse(lines[0]!).route).toBe('/ok');
      expect(tracer.fileStats()['express-digest.log']!.failed).toBe(50);
      await s.close();
    } finally {
      await tracer.close();
      stderr.mockRestore();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
