import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SyslogFramer, MAX_FRAME_BYTES } from '../../src/serve/framing.js';
import { corpusPath } from '../corpus.js';

function feed(f: SyslogFramer, bytes: Buffer, step: number) {
  const lines: string[] = [];
  let oversized = 0;
  for (let i = 0; i < bytes.length; i += step) {
    const r = f.push(bytes.subarray(i, i + step));
    lines.push(...r.lines);
    oversized += r.oversized;
  }
  lines.push(...f.end());
  return { lines, oversized };
}

test('newline framing: every corpus line comes out whole, whatever the chunking (CRLF, multi-byte characters split)', () => {
  const text = readFileSync(corpusPath('syslog', 'nxos__elastic-integrations__test-nexus.log'), 'utf8');
  const want = text.split('\n').map((l) => l.replace(/\r$/, '')).filter(Boolean);
  assert.ok(want.length > 10);
  for (const step of [1, 7, 100, 1 << 20]) {
    const got = feed(new SyslogFramer(), Buffer.from(want.join('\r\n') + '\r\n', 'utf8'), step);
    assert.deepEqual(got.lines, want, `step ${step}`);
  }
  const u = feed(new SyslogFramer(), Buffer.from('<13>héllo wörld ✓\n<13>second', 'utf8'), 1);
  assert.deepEqual(u.lines, ['<13>héllo wörld ✓', '<13>second']);
});

test('octet counting (RFC 6587 3.4.1): messages may hold line breaks; length fields split across chunks', () => {
  const msgs = ['<165>1 2026-11-14T08:30:56.123Z r1 app - - - one', '<165>1 2026-11-14T08:30:57.000Z r1 app - - - two\nlines', '<13>ünïcode'];
  const wire = Buffer.concat(msgs.map((m) => Buffer.from(`${Buffer.byteLength(m)} ${m}`, 'utf8')));
  for (const step of [1, 3, 1000]) assert.deepEqual(feed(new SyslogFramer(), wire, step).lines, msgs, `step ${step}`);
});

test('oversized frames are dropped and counted, and the stream goes on', () => {
  const big = 'x'.repeat(MAX_FRAME_BYTES + 10);
  const lines = feed(new SyslogFramer(), Buffer.from(`<13>ok1\n<13>${big}\n<13>ok2\n`), 4096);
  assert.deepEqual(lines.lines, ['<13>ok1', '<13>ok2']);
  assert.equal(lines.oversized, 1);
  const oct = feed(new SyslogFramer(), Buffer.from(`5 <13>a${big.length} ${big}5 <13>b`), 5000);
  assert.deepEqual(oct.lines, ['<13>a', '<13>b']);
  assert.equal(oct.oversized, 1);
});
