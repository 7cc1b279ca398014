// endsOnCharBoundary against Node's own StringDecoder: whenever it says a chunk ends on a character boundary, the
// decoder that has just decoded the chunk (after whatever came before) must hold no partial character.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StringDecoder } from 'node:string_decoder';
import { endsOnCharBoundary } from '../../src/util/utf8-boundary.js';

test('endsOnCharBoundary: never true while the decoder holds a partial character (valid text and garbage, random cuts)', () => {
  let seed = 99;
  const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
  const text = 'ascii é € 𝄞 ✓ ü ';
  let trues = 0, falses = 0;
  for (let k = 0; k < 300; k++) {
    let bytes: Buffer;
    if (k % 4 === 3) bytes = Buffer.from(Array.from({ length: 200 }, () => rnd(256))); // not UTF-8 at all
    else bytes = Buffer.from(Array.from({ length: 20 }, () => text.slice(rnd(text.length))).join(''), 'utf8');
    const d = new StringDecoder('utf8');
    for (let at = 0; at < bytes.length;) {
      const chunk = bytes.subarray(at, at + 1 + rnd(6));
      at += chunk.length;
      d.write(chunk);
      // lastNeed: the bytes the decoder still waits for (a getter of Node's decoder; 0 when nothing is pending)
      const pending = (d as unknown as { lastNeed: number }).lastNeed;
      if (endsOnCharBoundary(chunk)) { trues++; assert.equal(pending, 0, `input ${k}, chunk ${chunk.toString('hex')} at ${at}`); }
      else falses++;
    }
  }
  // both answers occur, and "yes" is the usual one (else the readers would rarely get back to their fast path)
  assert.ok(trues > falses && falses > 50, `true ${trues}, false ${falses}`);
  assert.equal(endsOnCharBoundary(Buffer.from('plain')), true);
  assert.equal(endsOnCharBoundary(Buffer.from('end é', 'utf8')), true);
  assert.equal(endsOnCharBoundary(Buffer.from([0x41, 0xe2, 0x82])), false);
  assert.equal(endsOnCharBoundary(Buffer.from([0x82, 0xac])), false, 'continuation bytes only: cannot tell');
  assert.equal(endsOnCharBoundary(Buffer.alloc(0)), false);
});
