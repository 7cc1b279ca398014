import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, corpusPath } from '../corpus.js';

const MAIN = join(REPO_ROOT, 'dist/src/cli/main.js');
const EX = join(REPO_ROOT, 'examples');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('tidewatch audit: exit 1 when a finding reaches --fail-on, 0 when none does', () => {
  const hit = run('audit', '--site', join(EX, 'tidewatch.yml'), '--format', 'json', join(EX, 'configs/edge1.cfg'));
  assert.equal(hit.code, 1, hit.err);
  const doc = JSON.parse(hit.out);
  assert.equal(doc.devices[0].hostname, 'edge1');
  assert.ok(doc.devices[0].findings.some((f: { severity: string }) => f.severity === 'critical'));
  // access1 has only medium/low hardening gaps at most
  const clean = run('audit', '--site', join(EX, 'tidewatch.yml'), '--format', 'json', '--fail-on', 'critical', join(EX, 'configs/access1.cfg'));
  assert.equal(clean.code, 0, clean.err);
  assert.equal(run('audit', '--fail-on', 'none', '--format', 'json', join(EX, 'configs/edge1.cfg')).code, 0);
});

test('tidewatch audit: exit 2 for usage errors and unreadable input', () => {
  const missing = run('audit', '/nonexistent/configs');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no such file or folder/);
  assert.equal(run('audit', '--format', 'xml', join(EX, 'configs')).code, 2);
  assert.equal(run('audit', '--fail-on', 'urgent', join(EX, 'configs')).code, 2);
  assert.equal(run('audit', '--platform', 'vyos', join(EX, 'configs')).code, 2);
  assert.equal(run('audit', '--site', '/nonexistent.yml', join(EX, 'configs')).code, 2);
  // a folder holding a FIFO: the file cannot be read as a configuration
  const dir = mkdtempSync(join(tmpdir(), 'tw-cli-'));
  copyFileSync(join(EX, 'configs/access1.cfg'), join(dir, 'access1.cfg'));
  execFileSync('mkfifo', [join(dir, 'pipe')]);
  const r = run('audit', '--format', 'json', '--fail-on', 'none', dir);
  assert.equal(r.code, 2, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.devices.length, 1);
  assert.match(doc.errors[0].message, /not a regular file/);
});

test('tidewatch audit: non-config files are errors that do not change the exit status', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-cli-'));
  copyFileSync(join(EX, 'configs/access1.cfg'), join(dir, 'access1.cfg'));
  writeFileSync(join(dir, 'notes.txt'), 'call the vendor on monday\n');
  const r = run('audit', '--format', 'json', '--fail-on', 'critical', '--site', join(EX, 'tidewatch.yml'), dir);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.deepEqual(doc.errors, [{ file: join(dir, 'notes.txt'), message: 'not a recognizable device configuration (no platform markers found)' }]);
});

test('tidewatch audit: jsonl, sarif and table formats; secrets stay redacted unless --show-secrets', () => {
  const file = join(EX, 'configs/fw1.cfg');
  const jl = run('audit', '--format', 'jsonl', file).out.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(jl.at(-1).type, 'summary');
  assert.ok(jl.some((l) => l.type === 'finding' && l.hostname === 'fw1'));
  const sarif = JSON.parse(run('audit', '--format', 'sarif', file).out);
  assert.equal(sarif.version, '2.1.0');
  assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, 'examples/configs/fw1.cfg');
  const table = run('audit', file).out;
  assert.match(table, /fw1 \(asa\)/);
  assert.match(table, /SEVERITY\s+CHECK\s+LINE\s+TITLE\s+EVIDENCE/);
  assert.match(table, /Assumed: no internal_prefixes declared/);
  for (const out of [JSON.stringify(jl), JSON.stringify(sarif), table]) assert.ok(!out.includes('SuperSecretTacacsKey1') && !out.includes('Pr3Shar3dK3yX'));
  const shown = run('audit', '--format', 'json', '--show-secrets', '--fail-on', 'none', file).out;
  assert.ok(shown.includes('fwR0comm'), 'show-secrets prints the community');
});

test('tidewatch audit --baseline reports drift', () => {
  const base = mkdtempSync(join(tmpdir(), 'tw-b-'));
  const cur = mkdtempSync(join(tmpdir(), 'tw-c-'));
  copyFileSync(join(EX, 'configs/access1.cfg'), join(base, 'access1.cfg'));
  copyFileSync(join(EX, 'configs/edge1.cfg'), join(cur, 'access1.cfg'));
  const r = run('audit', '--site', join(EX, 'tidewatch.yml'), '--baseline', base, '--format', 'json', '--fail-on', 'none', cur);
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  // different hostnames: paired by file name
  assert.equal(doc.devices[0].baseline.file, join(base, 'access1.cfg'));
  assert.ok(doc.devices[0].findings.some((f: { kind: string; check: string }) => f.kind === 'drift' && f.check === 'DRIFT-TUNNEL-UNDECLARED-PEER'));
  assert.ok(doc.devices[0].baseline.diff.length > 0);
  assert.equal(doc.summary.baseline, base);
});

test('tidewatch demo --audit audits the sample fleet and exits 0', () => {
  const r = run('demo', '--audit');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /8 devices audited with \d+ checks/);
  assert.match(r.out, /edge1 \(iosxe\)/);
  assert.match(r.out, /KNOWN-IMPLANT-ACCOUNT/);
});

test('a reader that goes away (| head) ends the command quietly, without a stack trace', () => {
  // the whole config corpus prints far more than a pipe buffer, so the writer does hit the closed pipe
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${MAIN}" audit "${corpusPath('configs')}" | head -3`], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  assert.ok(r.stdout.split('\n').filter(Boolean).length >= 1, 'some output before head closed the pipe');
  assert.doesNotMatch(r.stderr, /EPIPE|at .*\.js:\d+/);
});
