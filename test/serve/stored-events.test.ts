import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteFromObject } from '../../src/site/load.js';
import { Service } from '../../src/serve/service.js';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import { parseLiveLine, storedEventOf } from '../../src/serve/stored-events.js';
import { corpusPath } from '../corpus.js';
import { until } from './helpers.js';

/** Every line of the corpus's syslog samples (log files, `show logging` captures, decoder test files). */
function corpusLines(): string[] {
  const dir = corpusPath('syslog');
  return readdirSync(dir).filter((f) => /\.(log|txt|ini)$/.test(f)).sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.includes('\0'));
}

test('a stored row gives back the event the detectors saw, across a year boundary too (corpus lines)', () => {
  const lines = corpusLines();
  let parsed = 0;
  // received just after new year: stamps without a year ("Dec 31 23:59:58") belong to the year before
  for (const receivedMs of [Date.parse('2026-12-07T16:00:00Z'), Date.parse('2027-01-01T00:00:05Z')]) {
    for (const line of lines) {
      const r = parseLiveLine(line, { refMs: receivedMs, peer: '192.0.2.1:5000', source: 'syslog-tcp' });
      // what the pipeline stores (src/serve/pipeline.ts)
      const row = r.event
        ? { time: typeof r.event.time === 'string' ? r.event.time : new Date(receivedMs).toISOString(), listener: 'syslog-tcp', event: null, raw: line, error: null }
        : { time: new Date(receivedMs).toISOString(), listener: 'syslog-tcp', event: null, raw: line, error: r.error };
      if (!r.event) {
        assert.equal(storedEventOf(row), undefined, line);
        continue;
      }
      parsed++;
      assert.deepEqual(storedEventOf(row), r.event, line);
    }
  }
  assert.ok(parsed > 600, `${parsed} parsed corpus lines`);
  // rows written with their event (older databases, insertEvents) give that event back as it is
  assert.deepEqual(storedEventOf({ time: '2026-01-01T00:00:00.000Z', listener: 'syslog-tcp', event: '{"host":"r1","message":"m"}', raw: null }), { host: 'r1', message: 'm' });
  // NetFlow datagrams stored raw (no decoder) are not syslog lines
  assert.equal(storedEventOf({ time: '2026-01-01T00:00:00.000Z', listener: 'netflow', raw: 'AAUAAQ==' }), undefined);
});

test('the service stores each corpus line as it came, and the stored rows give back the events it parsed', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-stored-'));
  const lines = [...corpusLines(), '\u0001\u0002 binary garbage'];
  const sentMs = Date.now();
  const svc = await Service.start({
    site: siteFromObject({}), data, log: () => undefined,
    listen: ['syslog-udp=off', 'syslog-tls=off', 'netflow=off', 'http=off', 'syslog-tcp=127.0.0.1:0'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const s = connect(svc.bound['syslog-tcp']!.port, '127.0.0.1', () => s.end(lines.join('\n') + '\n'));
      s.on('close', () => resolve()); s.on('error', reject);
    });
    await until(async () => { await svc.settled(); return (await svc.store.countRows('events')) === lines.length; }, 30_000, `${lines.length} events`);
  } finally {
    await svc.stop();
  }
  const store = await DuckDbStore.open(join(data, 'tidewatch.duckdb'));
  try {
    const rows = (await store.conn.runAndReadAll(
      `SELECT strftime(time AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ') AS "time", host, listener, CAST(event AS VARCHAR) AS event, raw, error FROM events`,
    )).getRowObjects() as { time: string; host: string | null; listener: string; event: string | null; raw: string | null; error: string | null }[];
    assert.equal(rows.length, lines.length);
    // every line is there exactly as sent, parsed or not, and no parsed event is stored as JSON
    assert.deepEqual(rows.map((r) => r.raw).sort(), [...lines].sort());
    assert.equal(rows.filter((r) => r.event !== null).length, 0);
    let parsed = 0;
    for (const r of rows) {
      const want = parseLiveLine(r.raw!, { refMs: sentMs, peer: '', source: 'syslog-tcp' });
      if (want.error !== undefined) {
        assert.equal(r.error, want.error, r.raw!);
        assert.equal(storedEventOf(r), undefined);
        continue;
      }
      parsed++;
      assert.equal(r.error, null);
      assert.equal(r.host, typeof want.event.host === 'string' ? want.event.host : null, r.raw!);
      assert.deepEqual(storedEventOf(r), want.event, r.raw!);
    }
    assert.ok(parsed > 300 && parsed < rows.length, `${parsed} of ${rows.length} rows parsed`);
  } finally {
    await store.close();
  }
});
