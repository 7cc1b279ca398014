import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIsoMs } from '../../src/util/time.js';

test('parseIsoMs gives what Date.parse gives, on the fast form and on everything else', () => {
  const fixed = [
    '2026-01-05T08:15:30Z', '2026-01-05T08:15:30.1Z', '2026-01-05T08:15:30.12Z', '2026-01-05T08:15:30.123Z', '2026-01-05T08:15:59.999Z',
    '1970-01-01T00:00:00Z', '2026-02-29T10:00:00Z', '2026-13-01T10:00:00Z', '2026-01-05T24:00:00Z', '2026-01-05T08:15:60Z',
    '2026-01-05T08:60:00Z', '2026-01-05T08:15:30.1234Z', '2026-01-05T08:15:30+02:00', '2026-01-05T08:15:30.000+00:00',
    '2026-01-05 08:15:30Z', '2026-01-05T08:15:30z', '2026-01-05T08:15:3xZ', '2026-01-05T08:15:30.x2Z', 'Mon, 05 Jan 2026 08:15:30 GMT',
    '', 'not a time', '2026-01-05', '+012026-01-05T08:15:30Z', '2026-01-05Tab:cd:30Z',
  ];
  for (const s of fixed) assert.deepEqual(parseIsoMs(s), Date.parse(s), s);
  // many times within and across minutes, twice, so cached minutes are hit and replaced
  let seed = 11;
  const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
  const base = Date.UTC(2026, 0, 5);
  const times = Array.from({ length: 4000 }, () => base + (rnd() % (3 * 86_400_000)));
  for (const pass of [0, 1]) {
    for (const t of times) {
      const iso = new Date(t).toISOString();
      const forms = pass ? [iso, iso.replace(/\.\d+Z$/, 'Z')] : [iso];
      for (const s of forms) assert.equal(parseIsoMs(s), Date.parse(s), s);
    }
  }
});
