import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoMs } from '../../src/store/duckdb/event-chunks.js';
import { DuckDbStore } from '../../src/store/duckdb/duckdb-store.js';
import type { EventColumns } from '../../src/store/columns.js';

test('isoMs reads times as Date.parse does', () => {
  // every field position and month length, a leap day, times before 1970, and forms it hands to Date.parse
  const samples: string[] = [];
  let x = 12345;
  for (let i = 0; i < 20_000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    samples.push(new Date(-2e12 + (x / 2147483648) * 6e12).toISOString());
  }
  samples.push('2024-02-29T23:59:59.999Z', '2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z',
    '2026-02-30T00:00:00.000Z', '2026-13-01T00:00:00.000Z', '2026-01-01T24:00:00.000Z', '2026-01-01T00:60:00.000Z', '2026-01-0xT00:00:00.000Z',
    '2026-01-01T00:00:00Z', '2026-01-01T00:00:00.123456Z', '2026-01-01T01:00:00.000+01:00', 'Nov 23 03:36:54', '', 'garbage',
    '0001-01-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z', '0100-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z');
  for (const s of samples) assert.equal(isoMs(s), Date.parse(s), s);
});

test('events in columns are stored as given: nulls, one repeated value, differing values, line numbers, bad times', async () => {
  const s = await DuckDbStore.open(':memory:');
  try {
    const n = 5000; // more than two data chunks
    const c: EventColumns = { n, time: [], host: [], file: [], line: [], listener: [], event: [], raw: [], error: [] };
    for (let i = 0; i < n; i++) {
      c.time.push(i === 7 ? 'not a time' : new Date(Date.UTC(2026, 0, 1) + i * 1001).toISOString());
      // short hosts (written inline), one of exactly 12 bytes, longer and non-ASCII ones, and the empty string
      c.host.push(i % 3 === 0 ? null : i % 17 === 1 ? ['edge-123456x', 'edge-1234567x', 'ré-1', 'hôte-longer-é', '', 'éééééééé'][(i >> 4) % 6] : `edge${i % 5}`);
      c.file.push(i < 3000 ? 'syslog-tcp/192.0.2.10:40000' : 'syslog-tcp/192.0.2.11:40001'); // one value per chunk but the last
      c.line.push(i >= 4096 && i !== 4100 ? i : null); // null for whole chunks, then numbered but one
      c.listener.push('syslog-tcp');
      c.event.push(i === 4500 ? '{"message":"x"}' : null);
      c.raw.push(`<189>${i}: edge${i % 5}: message ${'é'.repeat(i % 20)} ${i}`);
      c.error.push(i % 1000 === 1 ? 'no header' : null);
    }
    await s.insertEventColumns(c);
    const rows = (await s.conn.runAndReadAll(
      `SELECT epoch_ms(time) ms, host, src_file, src_line, listener, CAST(event AS VARCHAR) AS ev, raw, error FROM events ORDER BY CAST(split_part(raw, ' ', -1) AS INTEGER)`,
    )).getRowObjects();
    assert.equal(rows.length, n);
    for (let i = 0; i < n; i++) {
      const r = rows[i];
      const ms = Date.parse(c.time[i]);
      assert.equal(r.ms === null ? null : Number(r.ms), Number.isFinite(ms) ? ms : null, `time ${i}`);
      assert.equal(r.host, c.host[i], `host ${i}`);
      assert.equal(r.src_file, c.file[i], `file ${i}`);
      assert.equal(r.src_line === null ? null : Number(r.src_line), c.line[i], `line ${i}`);
      assert.equal(r.listener, c.listener[i]);
      assert.equal(r.ev, c.event[i], `event ${i}`);
      assert.equal(r.raw, c.raw[i], `raw ${i}`);
      assert.equal(r.error, c.error[i], `error ${i}`);
    }
    // NUL and characters outside the BMP, in a column of one value (a constant vector) and in differing values
    const odd = (raw: string[]): EventColumns => ({
      n: raw.length, time: raw.map(() => '2026-01-01T00:00:00.000Z'), host: raw.map(() => null), file: raw.map(() => 'f'), line: raw.map(() => null),
      listener: raw.map(() => 'odd'), event: raw.map(() => null), raw, error: raw.map(() => null),
    });
    await s.insertEventColumns(odd(['same\u0000x \u{1F600}', 'same\u0000x \u{1F600}']));
    await s.insertEventColumns(odd(['a\u0000b', 'é ü \u{1F600}']));
    const back = (await s.conn.runAndReadAll(`SELECT raw FROM events WHERE listener = 'odd'`)).getRowObjects().map((r) => r.raw).sort();
    assert.deepEqual(back, ['a\u0000b', 'same\u0000x \u{1F600}', 'same\u0000x \u{1F600}', 'é ü \u{1F600}'].sort());
  } finally {
    await s.close();
  }
});
