import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLineBatches, readLineTexts, openInput, MAX_LINE_BYTES } from '../../src/sources/lines.js';

async function collect(r: Readable) {
  const out = [];
  for await (const b of readLineBatches(r, 2)) out.push(...b);
  return out;
}

test('splits LF and CRLF lines across chunk boundaries with 1-based numbers', async () => {
  const lines = await collect(Readable.from([Buffer.from('a\r\nb'), Buffer.from('c\nd')]));
  assert.deepEqual(lines.map((l) => [l.no, l.text]), [[1, 'a'], [2, 'bc'], [3, 'd']]);
});

test('keeps multi-byte characters split across chunks', async () => {
  const euro = Buffer.from('€\n');
  const lines = await collect(Readable.from([euro.subarray(0, 1), euro.subarray(1)]));
  assert.equal(lines[0].text, '€');
});

test('ASCII chunks first (latin1 fast path), then a character split across chunks, then ASCII again', async () => {
  const euro = Buffer.from('€');
  const lines = await collect(Readable.from([Buffer.from('abc\nde'), euro.subarray(0, 2), euro.subarray(2), Buffer.from('f\ng\u00e9\n'), Buffer.from('h\n')]));
  assert.deepEqual(lines.map((l) => l.text), ['abc', 'de€f', 'gé', 'h']);
});

test('cuts oversized lines and flags them, then resumes at the next line', async () => {
  const big = 'x'.repeat(MAX_LINE_BYTES * 5);
  const lines = await collect(Readable.from([Buffer.from(big.slice(0, MAX_LINE_BYTES * 4.5)), Buffer.from(big.slice(MAX_LINE_BYTES * 4.5) + '\nok\n')]));
  assert.equal(lines.length, 2);
  assert.equal(lines[0].oversized, true);
  assert.equal(lines[0].text.length, MAX_LINE_BYTES);
  assert.deepEqual([lines[1].no, lines[1].text], [2, 'ok']);
});

test('openInput gunzips by content, not by name', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-lines-'));
  const f = join(dir, 'plain-name.log');
  writeFileSync(f, gzipSync('one\ntwo\n'));
  const lines = await collect(await openInput(f));
  assert.deepEqual(lines.map((l) => l.text), ['one', 'two']);
});

/** readLineTexts flattened to the shape readLineBatches yields. */
async function collectTexts(r: Readable, batch = 2) {
  const out: { no: number; text: string; oversized?: boolean }[] = [];
  for await (const b of readLineTexts(r, batch)) {
    b.texts.forEach((text, i) => out.push(b.cut.includes(i) ? { no: b.first + i, text, oversized: true } : { no: b.first + i, text }));
  }
  return out;
}

/** What the readers must give for a whole input: split on LF, a CR before it dropped, long lines cut and flagged. */
function referenceLines(all: Buffer) {
  const parts = all.toString('utf8').split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((l, i) => {
    const t = l.endsWith('\r') ? l.slice(0, -1) : l;
    return t.length > MAX_LINE_BYTES ? { no: i + 1, text: t.slice(0, MAX_LINE_BYTES), oversized: true } : { no: i + 1, text: t };
  });
}

test('readLineTexts (the hunt fast path) and readLineBatches give the lines of the whole input over awkward chunkings', async () => {
  const big = 'y'.repeat(MAX_LINE_BYTES + 10);
  const euro = Buffer.from('€');
  const inputs: (Buffer | string)[][] = [
    [Buffer.from('a\r\nb'), Buffer.from('c\nd')],
    [Buffer.from('a\r'), Buffer.from('\nb\r'), Buffer.from('\n'), Buffer.from('c')],
    [Buffer.from('no newline at all')],
    [Buffer.from('x\n\n\ny\n')],
    [Buffer.from('part'), Buffer.from('ial'), Buffer.from(' line\nnext\n')],
    [Buffer.from('abc\nde'), euro.subarray(0, 2), euro.subarray(2), Buffer.from('f\ng\u00e9\n'), Buffer.from('h\n')],
    [Buffer.from('first\n' + big.slice(0, 100)), Buffer.from(big.slice(100) + '\nafter\n')],
    [Buffer.from('z'.repeat(MAX_LINE_BYTES * 4.5)), Buffer.from('z'.repeat(MAX_LINE_BYTES) + '\nok\n')],
    // a CR at a chunk's end is dropped only when the next chunk starts with the LF; the one before it stays
    [Buffer.from('a\r'), Buffer.from('\r\n'), Buffer.from('b\r\r\nc\r'), Buffer.from('\nd\r')],
    // a line over several chunks, a lone CR inside it, and an empty line right after a chunk boundary
    [Buffer.from('on'), Buffer.from('e\rtw'), Buffer.from('o\n'), Buffer.from('\nthree')],
    // a string chunk in between (object-mode streams), then bytes again
    [Buffer.from('p\nq'), 'r\ns', Buffer.from('t\n')],
  ];
  let compared = 0;
  for (const chunks of inputs) {
    for (const size of [1, 2, 3, 4096]) {
      const want = referenceLines(Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))));
      const batches = [];
      for await (const b of readLineBatches(Readable.from(chunks), size)) for (const l of b) batches.push(l.oversized ? { no: l.no, text: l.text, oversized: true } : { no: l.no, text: l.text });
      const what = `chunks ${JSON.stringify(chunks.map((c) => c.length))}, batch ${size}`;
      assert.deepEqual(batches, want, `readLineBatches, ${what}`);
      assert.deepEqual(await collectTexts(Readable.from(chunks), size), want, `readLineTexts, ${what}`);
      compared += want.length;
    }
  }
  assert.ok(compared > 40);
});

test('readLineTexts and readLineBatches match the reference split on random inputs and random chunkings (seeded)', async () => {
  let seed = 12345;
  const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
  const pieces = ['a', 'bc', ' ', '\r', '\n', '\r\n', '%SYS-5-X: ', 'é', '€', '\t'];
  let lines = 0;
  for (let k = 0; k < 200; k++) {
    const parts: string[] = [];
    const n = 1 + rnd(60);
    for (let i = 0; i < n; i++) parts.push(rnd(40) === 0 ? 'L'.repeat(MAX_LINE_BYTES - 2 + rnd(5)) : pieces[rnd(pieces.length)]);
    // a third of the inputs stay ASCII (the flat-line path throughout), the others switch to the decoder
    const text = k % 3 === 0 ? parts.join('').replace(/[é€]/g, 'e') : parts.join('');
    const all = Buffer.from(text);
    const chunks: Buffer[] = [];
    for (let at = 0; at < all.length;) { const len = 1 + rnd(k % 2 ? 7 : 200000); chunks.push(all.subarray(at, at + len)); at += len; }
    const want = referenceLines(all);
    const size = 1 + rnd(5);
    assert.deepEqual(await collectTexts(Readable.from(chunks), size), want, `readLineTexts, input ${k}`);
    const batches = [];
    for await (const b of readLineBatches(Readable.from(chunks), size)) for (const l of b) batches.push(l.oversized ? { no: l.no, text: l.text, oversized: true } : { no: l.no, text: l.text });
    assert.deepEqual(batches, want, `readLineBatches, input ${k}`);
    lines += want.length;
  }
  assert.ok(lines > 1000, `lines compared: ${lines}`);
});
