import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchColumns, eventColumnsOf, eventRowsOf, packColumns, unpackColumns, unpackIfPacked } from '../../src/store/columns.js';
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
  assert.ok(Array.isArray(p.time));
  assert.deepEqual(unpackColumns(p), same);
  // only packed columns (or a batch holding them) are unpacked; other arguments pass through
  assert.deepEqual(unpackIfPacked({ events: p, flows: [] }), { events: same, flows: [] });
  assert.deepEqual(unpackIfPacked(['a']), ['a']);
});

test('columns: rows and columns of one batch are stored rows first', () => {
  const c = batchColumns([rows[2]], eventColumnsOf([rows[0], rows[1]]));
  assert.deepEqual(eventRowsOf(c), [rows[2], rows[0], rows[1]]);
});
