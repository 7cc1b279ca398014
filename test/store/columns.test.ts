import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchColumns, concatColumns, eventColumnsOf, eventRowsOf, packColumns, transferablesOf, unpackColumns, unpackIfPacked, type EventColumns } from '../../src/store/columns.js';
import type { StoredEvent } from '../../src/store/store.js';

const rows: StoredEvent[] = [
  { time: '2026-01-01T00:00:00.000Z', host: 'edge1', source: { file: 'syslog-tcp/10.0.0.1:5000', listener: 'syslog-tcp' }, event: { message: 'a "quoted"\nline', seq: 1 } },
  { time: '2026-01-01T00:00:01.000Z', source: { file: 'syslog-tcp/10.0.0.1:5000', listener: 'syslog-tcp' }, raw: '<13>bad\nline', error: 'no header' },
  { time: '2026-01-01T00:00:02.000Z', host: 'core1', source: { file: 'f.log', line: 7 }, event: { message: 'b' } },
];

test('columns: rows -> columns -> packed -> unpacked -> rows keeps every field, null and line break', () => {
  const c = eventColumnsOf(rows);
  assert.equal(c.n, 3);
  const back = eventRowsOf(unpackColumns(structuredClone(packColumns(c))));
  assert.deepEqual(back, rows);
});

test('columns: a column of one repeated value or of nulls is packed as that value or its length', () => {
  const same = eventColumnsOf([rows[0], { ...rows[0], time: '2026-01-01T00:00:05.000Z' }]);
  const p = packColumns(same);
  assert.deepEqual(p.file, { same: 'syslog-tcp/10.0.0.1:5000' });
  assert.deepEqual(p.raw, { nulls: 2 });
  assert.deepEqual(p.line, { nulls: 2 });
  assert.deepEqual([...p.timeMs], [Date.parse('2026-01-01T00:00:00.000Z'), Date.parse('2026-01-01T00:00:05.000Z')]);
  const back = { ...same, time: [], timeMs: p.timeMs };
  assert.deepEqual(unpackColumns(p), back);
  // only packed columns (or a batch holding them) are unpacked; other arguments pass through
  assert.deepEqual(unpackIfPacked({ events: p, flows: [] }), { events: back, flows: [] });
  assert.deepEqual(unpackIfPacked(['a']), ['a']);
});

test('columns: rows and columns of one batch are stored rows first', () => {
  const c = batchColumns([rows[2]], eventColumnsOf([rows[0], rows[1]]));
  assert.deepEqual(eventRowsOf(c), [rows[2], rows[0], rows[1]]);
});

test('columns: a part of the live pipeline crosses as one string of lines, ms times and a host dictionary, transferred', () => {
  const n = 3000;
  const c: EventColumns = { n, time: [], host: [], file: [], line: [], listener: [], event: [], raw: [], error: [] };
  for (let i = 0; i < n; i++) {
    c.time.push(i === 5 ? 'not a time' : i === 6 ? '2026-01-01T01:00:00.000+01:00' : new Date(Date.UTC(2026, 0, 1) + i * 1001).toISOString());
    c.host.push(i % 7 === 0 ? null : `edge${i % 40}`);
    c.file.push('syslog-tcp/192.0.2.10:40000');
    c.line.push(null);
    c.listener.push('syslog-tcp');
    c.event.push(null);
    // empty, multi-line, non-Latin-1 and outside-the-BMP lines keep their boundaries
    c.raw.push(i === 9 ? '' : `<189>${i}: edge${i % 40}: ${'é'.repeat(i % 3)}${i % 11 === 0 ? 'a\nb \u{1F600}' : 'x'} ${i}`);
    c.error.push(i === 5 ? 'no header' : null);
  }
  const p = packColumns(c);
  assert.ok(!Array.isArray(p.raw) && 'joined' in p.raw && p.raw.lengths.length === n);
  assert.ok(!Array.isArray(p.host) && 'values' in p.host && p.host.values.length === 41);
  assert.deepEqual(p.event, { nulls: n });
  const transfer = transferablesOf(p);
  assert.equal(transfer.length, 3);
  const got = unpackColumns(structuredClone(p, { transfer }));
  assert.equal(p.timeMs.byteLength, 0); // moved, not copied
  assert.deepEqual(got.raw, c.raw);
  assert.deepEqual(got.host, c.host);
  assert.deepEqual(got.error, c.error);
  assert.deepEqual(got.file, c.file);
  for (let i = 0; i < n; i++) assert.ok(Object.is(got.timeMs![i], Date.parse(c.time[i])), `time ${i}`);
  // a raw column holding a null stays an array
  const odd = eventColumnsOf([rows[0], rows[1], rows[2]]);
  const q = packColumns(odd);
  assert.ok(Array.isArray(q.raw) && Array.isArray(q.event));
  assert.deepEqual(eventRowsOf(unpackColumns(structuredClone(q, { transfer: transferablesOf(q) }))), rows);
  // columns with ms times join others, the times as ms
  const both = concatColumns([got, eventColumnsOf([rows[0]])]);
  assert.equal(both.n, n + 1);
  assert.equal(both.timeMs![n], Date.parse(rows[0].time));
  assert.equal(both.timeMs![3], Date.parse(c.time[3]));
});
