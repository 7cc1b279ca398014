// The literal prefilter (Aho-Corasick over a compressed alphabet) finds exactly the literals a naive
// case-insensitive search finds, including overlapping ones, literals inside others and non-ASCII text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiteralScanner } from '../../../src/detectors/sigma/prefilter.js';

function naive(lits: string[], text: string): number[] {
  const t = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return lits.map((l, i) => (t.includes(l.toLowerCase()) ? i : -1)).filter((i) => i >= 0);
}
function found(sc: LiteralScanner, text: string): number[] {
  sc.scan(text);
  return sc.literals.map((_, i) => (sc.seen[i] === sc.epoch ? i : -1)).filter((i) => i >= 0);
}

test('prefilter: fixed cases', () => {
  const lits = ['permit', 'Tunnel', 'tftp', 'ftp', 'monitor capture', 'he', 'she', 'hers'];
  const sc = new LiteralScanner(lits);
  assert.deepEqual(found(sc, 'logged command:access-list 20 PERMIT host 1.2.3.4'), [0]);
  assert.deepEqual(found(sc, 'copy running-config tftp://x/'), [2, 3], 'ftp inside tftp');
  assert.deepEqual(found(sc, 'ushers'), [5, 6, 7], 'classic overlapping case');
  assert.deepEqual(found(sc, 'MONITOR CAPTURE cap start'), [4]);
  assert.deepEqual(found(sc, 'tun\u00e9nel permit\u00e9'), [0], 'non-ASCII resets the automaton without losing later matches');
  assert.deepEqual(found(sc, 'tunnel'), [1]);
  assert.deepEqual(found(sc, 'nothing to see'), []);
});

test('prefilter: agrees with a naive search on random texts', () => {
  let seed = 7;
  const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const alphabet = 'abcABC -:/.0123é';
  const word = (min: number, max: number) => Array.from({ length: min + rnd(max - min + 1) }, () => alphabet[rnd(alphabet.length)]).join('');
  for (let round = 0; round < 50; round++) {
    const lits = [...new Set(Array.from({ length: 1 + rnd(30) }, () => word(3, 6).replace(/é/g, 'e')))];
    const sc = new LiteralScanner(lits);
    for (let k = 0; k < 40; k++) {
      const text = word(0, 80);
      assert.deepEqual(found(sc, text), naive(lits, text), `literals ${JSON.stringify(lits)} text ${JSON.stringify(text)}`);
    }
  }
});
