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

/** What newline framing must give for a whole byte stream: lines split on LF, one CR then one NUL stripped. */
function reference(text: string): { lines: string[]; oversized: number } {
  const parts = text.split('\n');
  const tail = parts.pop() as string;
  const lines: string[] = [];
  let oversized = 0;
  for (let p of parts) {
    if (p.endsWith('\r')) p = p.slice(0, -1);
    if (p.endsWith('\0')) p = p.slice(0, -1);
    if (p.length > MAX_FRAME_BYTES) oversized++;
    else if (p) lines.push(p);
  }
  const t = tail.replace(/[\r\0]+$/, '');
  if (t.length > MAX_FRAME_BYTES) oversized++;
  else if (t) lines.push(t);
  return { lines, oversized };
}

test('newline framing on random streams: ASCII chunks (lines decoded one by one) and a switch to UTF-8 give the reference lines', () => {
  let seed = 7;
  const rnd = (n: number) => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed % n; };
  const piece = () => {
    const r = rnd(20);
    if (r === 0) return '';
    if (r === 1) return `<13>${'y'.repeat(MAX_FRAME_BYTES + 100)}`;
    if (r === 2) return `<13>stamp ${rnd(1e6)}\0`;
    if (r === 3) return `<13>cr ${rnd(1e6)}\r`;
    return `<189>${rnd(1e7)}: pe${rnd(200)}-nyc: %SYS-5-CONFIG_I: Configured from console by u${rnd(9)} on vty0 (10.0.${rnd(256)}.${rnd(256)})`;
  };
  for (let round = 0; round < 40; round++) {
    const lines = Array.from({ length: 30 + rnd(200) }, piece);
    // half the rounds hold UTF-8 lines here and there: the framer leaves its ASCII path for the decoder (chunks may
    // cut a character) and comes back once the decoder is empty
    if (round % 2) for (let u = 1 + rnd(6); u > 0; u--) lines.splice(rnd(lines.length), 0, `<13>tür ${rnd(99)} ✓ 𝄞`);
    const text = lines.join(round % 3 ? '\n' : '\r\n') + (rnd(2) ? '\n' : '');
    const bytes = Buffer.from(text, 'utf8');
    const f = new SyslogFramer();
    const got: string[] = [];
    let oversized = 0;
    for (let i = 0; i < bytes.length;) {
      const step = 1 + rnd(rnd(4) === 0 ? 40 : 9000);
      const r = f.push(bytes.subarray(i, i + step));
      got.push(...r.lines);
      oversized += r.oversized;
      i += step;
    }
    got.push(...f.end());
    const want = reference(text);
    assert.deepEqual(got, want.lines, `round ${round}`);
    assert.equal(oversized, want.oversized, `round ${round}: oversized`);
  }
});
