// The literal prefilter (Aho-Corasick over a compressed alphabet) finds exactly the literals a naive
// case-insensitive search finds, including overlapping ones, literals inside others and non-ASCII text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiteralScanner, SkipScanner, SKIP_MIN_LENGTH } from '../../../src/detectors/sigma/prefilter.js';

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

/** The automaton ids a SkipScanner over `sub` (a subset of the automaton's literals) marks for a text. */
function foundSkip(sc: LiteralScanner, skip: SkipScanner, text: string): number[] {
  skip.scan(text);
  return sc.literals.map((_, i) => (sc.seen[i] === sc.epoch ? i : -1)).filter((i) => i >= 0);
}

test('prefilter: the skipping scanner finds what a naive search finds for its subset of literals', () => {
  const lits = ['username_configuration', 'guestshell', 'run_login', 'login_success', '%sys-5-config_p:', 'ip-tcp-3-badauth', 'tunnel'];
  const sc = new LiteralScanner(lits);
  const sub = [0, 1, 2, 3, 4, 5]; // not 'tunnel': a route's scanner marks only its own literals
  const skip = new SkipScanner(sub.map((i) => lits[i]), sub, sc);
  const texts = [
    '<189>1: pe1: Nov 23 00:00:01.123 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel1, changed state to up',
    '<189>pe1: Nov 23 00:00:01.123 UTC: %SYS-5-CONFIG_P: Configured programmatically by process',
    'Nov 23 00:00:01 sw1 %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: x] GuestShell RUN_LOGIN',
    'run_logi', 'un_login', 'run_login', 'RUN_LOGIN at the end: run_login',
    'guest\u00e9shell guestshell\u00e9', '%IP-TCP-3-BADAUTH%ip-tcp-3-badauth', '',
  ];
  for (const t of texts) assert.deepEqual(foundSkip(sc, skip, t), naive(lits, t).filter((i) => sub.includes(i)), JSON.stringify(t));
  assert.throws(() => new SkipScanner(['abc'], [0], sc), /shorter than/);
});

test('prefilter: the skipping scanner agrees with a naive search on random texts', () => {
  let seed = 11;
  const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const alphabet = 'abAB -_:%0é';
  const word = (min: number, max: number) => Array.from({ length: min + rnd(max - min + 1) }, () => alphabet[rnd(alphabet.length)]).join('');
  for (let round = 0; round < 80; round++) {
    const lits = [...new Set(Array.from({ length: 1 + rnd(12) }, () => word(SKIP_MIN_LENGTH, 12).replace(/é/g, 'e')))];
    const sc = new LiteralScanner(lits);
    const skip = new SkipScanner(lits, lits.map((_, i) => i), sc);
    for (let k = 0; k < 60; k++) {
      // texts built partly from the literals so that matches (and near misses) occur
      const text = Array.from({ length: rnd(6) }, () => (rnd(2) ? word(0, 10) : lits[rnd(lits.length)].slice(rnd(2)).toUpperCase())).join('');
      assert.deepEqual(foundSkip(sc, skip, text), naive(lits, text), `literals ${JSON.stringify(lits)} text ${JSON.stringify(text)}`);
    }
  }
});
