import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '../../src/bus/jetstream.js';
import { startClickHouse, startNats } from '../servers.js';
import { spawnSync } from 'node:child_process';
import { CLI, startServe } from './cluster.js';

// The store role's inserts spread over several processes: `--role store --no-correlate` processes share the events
// consumer with the one store process that also correlates. Every event lands in ClickHouse once, and both
// processes took part.
test('events spread over a correlating store process and a --no-correlate one, each stored once', async () => {
  const nats = await startNats();
  const ch = await startClickHouse();
  const dir = mkdtempSync(join(tmpdir(), 'tw-store-split-'));
  const common = ['--role', 'store', '--nats', nats.url, '--clickhouse', ch.url, '--listen', 'http=127.0.0.1:0'];
  const stores = [
    await startServe(common, join(dir, 's0'), ['http']),
    await startServe([...common, '--no-correlate'], join(dir, 's1'), ['http']),
  ];
  const bus = await Bus.connect({ servers: [nats.url], partitions: 4 });
  try {
    const n = 20_000;
    for (let b = 0; b < n / 500; b++) {
      const items = Array.from({ length: 500 }, (_, i) => {
        const k = b * 500 + i;
        return { k: 'e', e: { time: new Date(Date.UTC(2026, 11, 7, 12, 0, 0) + k).toISOString(), host: `edge${k % 5}`, source: { file: 'test', listener: 'syslog-tcp' }, raw: `line ${k}` } };
      });
      await bus.publishBatch(b % 4, items, `t:${b}`);
    }
    const count = async () => Number((await (await fetch(`${ch.url}/?query=${encodeURIComponent('SELECT count() FROM tidewatch.events')}`)).text()).trim());
    const t0 = Date.now();
    while ((await count()) < n && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await count(), n, 'every event stored, once');
    const health = await Promise.all(stores.map(async (s) => (await (await fetch(`http://127.0.0.1:${s.listening.http.port}/health`)).json()) as { correlate: boolean; stored: { events: number } }));
    assert.deepEqual(health.map((h) => h.correlate), [true, false]);
    assert.equal(health[0].stored.events + health[1].stored.events, n);
    assert.ok(health.every((h) => h.stored.events > 0), `both processes inserted: ${health.map((h) => h.stored.events).join(' + ')}`);
  } finally {
    await bus.close();
    await Promise.all(stores.map((s) => s.kill()));
    await ch.stop();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--no-correlate is refused with any role but store', () => {
  const r = spawnSync(process.execPath, [CLI, 'serve', '--role', 'detector', '--no-correlate', '--nats', 'nats://127.0.0.1:1'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--no-correlate goes with --role store only/);
});
