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

/** A seeded generator of random numbers below n and of words of min..max characters from `alphabet`. */
function randomWords(start: number, alphabet: string) {
  let seed = start;
  const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const word = (min: number, max: number) => Array.from({ length: min + rnd(max - min + 1) }, () => alphabet[rnd(alphabet.length)]).join('');
  return { rnd, word };
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
  const { rnd, word } = randomWords(7, 'abcABC -:/.0123é');
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
  const { rnd, word } = randomWords(11, 'abAB -_:%0é');
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

test('prefilter in the engine: a route of long literals (skipping scanner) and one with short ones (automaton) decide alike', async () => {
  const { HuntEngine } = await import('../../../src/pipeline/hunt.js');
  const { parseEvent } = await import('../../../src/parsers/index.js');
  const rule = (id: string, cat: string, words: string[]) => `title: r${id}\nid: 00000000-0000-4000-8000-00000000000${id}\nstatus: test\nlevel: high\nlogsource:\n  category: ${cat}\ndetection:\n  k:\n${words.map((w) => `    - '${w}'`).join('\n')}\n  condition: k\n`;
  const engine = HuntEngine.fromTexts([
    { path: 'a.yml', text: rule('1', 'device_syslog', ['guestshell activated', 'webui_wsma']) }, // long: SkipScanner
    { path: 'b.yml', text: rule('2', 'device_command', ['dir', 'guestshell']) }, // 'dir' is short: the automaton
  ]);
  const ctx = { refMs: Date.UTC(2026, 10, 23, 12) };
  const lines = [
    '<189>1: r1: Nov 23 11:00:00.000 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to up',
    '<189>2: r1: Nov 23 11:00:01.000 UTC: %IM-5-IOX_INST_NOTICE: GuestShell Activated on switch 1',
    '<189>3: r1: Nov 23 11:00:02.000 UTC: %WEBUI-6-INSTALL: WEBUI_WSMA_HTTP request',
    '<189>4: r1: Nov 23 11:00:03.000 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:bob  logged command:DIR bootflash:',
    '<189>5: r1: Nov 23 11:00:04.000 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:bob  logged command:show clock',
  ];
  const fired: string[] = [];
  // which scanner each route got (route() is private: reached through a cast)
  const routeOf = (l: string) => (engine.sigma as unknown as { route(e: unknown): { scanner: unknown } }).route(parseEvent(l, ctx));
  assert.ok(routeOf(lines[0]).scanner instanceof SkipScanner, 'the syslog route has only long literals');
  assert.ok(routeOf(lines[3]).scanner instanceof LiteralScanner, "the command route has 'dir'");
  lines.forEach((l, i) => {
    const ev = parseEvent(l, ctx);
    assert.notEqual(typeof ev, 'string', l);
    for (const a of engine.process(ev as Exclude<typeof ev, string>, { file: 't', line: i + 1 })) fired.push(`${i + 1}:${a.rule.title}`);
  });
  // the device_syslog rule sees every line and fires on 2 and 3 (case-folded); the command rule sees lines 4 and 5
  assert.deepEqual(fired, ['2:r1', '3:r1', '4:r2']);
  const st = engine.sigma.stats;
  assert.equal(st.evaluated, 3, 'only lines holding one of their rule\'s literals are evaluated');
  assert.equal(st.prefiltered, 4, 'r1 skipped on lines 1, 4, 5; r2 on line 5');
});

test('prefilter in the engine: more than 32 rules on one route and lines with more literals than a scan records decide by each rule\'s literals', async () => {
  const { HuntEngine } = await import('../../../src/pipeline/hunt.js');
  const { parseEvent } = await import('../../../src/parsers/index.js');
  const { HIT_CAP } = await import('../../../src/detectors/sigma/prefilter.js');
  // 70 rules on the command route, rule i holding the word `cmdwordNN` (and rule 69 also the short 'xyz')
  const word = (i: number) => `cmdword${String(i).padStart(2, '0')}`;
  const texts = Array.from({ length: 70 }, (_, i) => ({
    path: `r${i}.yml`,
    text: `title: r${i}\nid: 00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}\nstatus: test\nlevel: high\nlogsource:\n  category: device_command\ndetection:\n  k:\n    - '${word(i)}'\n${i === 69 ? "    - 'xyz'\n" : ''}  condition: k\n`,
  }));
  const engine = HuntEngine.fromTexts(texts);
  const ctx = { refMs: Date.UTC(2026, 10, 23, 12) };
  const cases: number[][] = [[], [0], [31], [32], [33, 5, 69], [63, 64, 65, 66, 67, 68], Array.from({ length: 70 }, (_, i) => i)];
  let n = 0;
  for (const want of cases) {
    // repeats push the occurrences past HIT_CAP for the last cases
    const body = want.map((i) => `${word(i)} ${word(i)}`).join(' ');
    const line = `<189>${++n}: r1: Nov 23 11:00:00.000 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:bob  logged command:show ${body}`;
    const ev = parseEvent(line, ctx);
    assert.notEqual(typeof ev, 'string', line);
    const got = engine.process(ev as Exclude<typeof ev, string>, { file: 't', line: n }).map((a) => Number(a.rule.title.slice(1))).sort((a, b) => a - b);
    assert.deepEqual(got, [...want].sort((a, b) => a - b), line);
  }
  assert.ok(2 * 70 > HIT_CAP, 'the last case found more literals than a scan records');
  const xyz = parseEvent('<189>99: r1: Nov 23 11:00:00.000 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:bob  logged command:XYZ', ctx);
  assert.deepEqual(engine.process(xyz as Exclude<typeof xyz, string>).map((a) => a.rule.title), ['r69']);
});
