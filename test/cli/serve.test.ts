import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../corpus.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

test('serve refuses a non-loopback HTTP address without TLS and tokens, naming what is missing', () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-cli-serve-'));
  const r = spawnSync(process.execPath, [CLI, 'serve', '--data', data, '--listen', 'http=0.0.0.0:0'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /refusing to serve HTTP on 0\.0\.0\.0:0.*without TLS.*and API tokens/);
  const bad = spawnSync(process.execPath, [CLI, 'serve', '--data', data, '--listen', 'http=nowhere'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /not HOST:PORT/);
});

test('serve on port 0 prints the bound address, answers /health, and token create works while it runs', async () => {
  const data = mkdtempSync(join(tmpdir(), 'tw-cli-serve-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--data', data, '--listen', 'http=127.0.0.1:0',
    '--listen', 'syslog-udp=off', '--listen', 'syslog-tcp=off', '--listen', 'syslog-tls=off', '--listen', 'netflow=off'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let err = '';
    const port = await new Promise<number>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no listening line: ${err}`)), 20_000);
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /listening http 127\.0\.0\.1:(\d+)/.exec(err);
        if (m) { clearTimeout(t); resolve(Number(m[1])); }
      });
      child.on('exit', (c) => reject(new Error(`exited ${c}: ${err}`)));
    });
    assert.ok(port > 0);
    const h = await fetch(`http://127.0.0.1:${port}/health`);
    assert.deepEqual(await h.json(), { status: 'ok' });
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/me`)).status, 401);
    const made = spawnSync(process.execPath, [CLI, 'token', 'create', '--role', 'viewer', '--name', 'ci', '--data', data], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const token = made.stdout.trim();
    assert.match(token, /^tw_[A-Za-z0-9_-]{40,}$/);
    const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { name: string }).name, 'ci');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});

test('the built service: syslog over TCP fires a Sigma rule from hunt.rules; the alert and its incident come out of the API and a JSON Lines sink', async () => {
  const { connect } = await import('node:net');
  const { mkdirSync, writeFileSync, readFileSync, existsSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'tw-cli-serve-'));
  const data = join(dir, 'data');
  mkdirSync(join(dir, 'rules'), { recursive: true });
  writeFileSync(join(dir, 'rules', 'config-change.yml'), [
    'title: Configuration changed from an outside address',
    'id: 3f1d2c4b-5a69-4e7d-8c0b-1a2b3c4d5e6f',
    'logsource: {product: cisco, service: syslog}',
    'detection:',
    '  sel: {mnemonic: SYS-5-CONFIG_I}',
    "  outside: {src_ip|cidr: '203.0.113.0/24'}",
    '  condition: sel and outside',
    'level: high',
    'tags: [attack.defense-evasion, attack.t1562.001]',
    '',
  ].join('\n'));
  // hunt.rules and the delivery path relative to the site file
  writeFileSync(join(dir, 'tidewatch.yml'), 'hunt:\n  rules: [rules]\ndelivery:\n  jsonl:\n    - {name: out, path: alerts.jsonl}\n');
  const token = spawnSync(process.execPath, [CLI, 'token', 'create', '--role', 'viewer', '--data', data], { encoding: 'utf8' }).stdout.trim();
  const child = spawn(process.execPath, [CLI, 'serve', '--site', join(dir, 'tidewatch.yml'), '--data', data, '--listen', 'http=127.0.0.1:0',
    '--listen', 'syslog-udp=off', '--listen', 'syslog-tcp=127.0.0.1:0', '--listen', 'syslog-tls=off', '--listen', 'netflow=off'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let err = '';
    const ports = await new Promise<{ http: number; tcp: number }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no listening lines: ${err}`)), 30_000);
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        const h = /listening http 127\.0\.0\.1:(\d+)/.exec(err);
        const s = /listening syslog-tcp 127\.0\.0\.1:(\d+)/.exec(err);
        if (h && s) { clearTimeout(t); resolve({ http: Number(h[1]), tcp: Number(s[1]) }); }
      });
      child.on('exit', (c) => reject(new Error(`exited ${c}: ${err}`)));
    });
    // the shipped rules (rules/sigma) and the one from hunt.rules
    assert.ok(Number(/Sigma: (\d+) rules/.exec(err)?.[1]) >= 1, err);
    const lines = [
      '<189>52: core-01: Nov 23 03:50:46.123 UTC: %SYS-5-CONFIG_I: Configured from console by netops on vty0 (10.0.0.5)',
      '<189>53: core-01: Nov 23 03:51:02.456 UTC: %SYS-5-CONFIG_I: Configured from console by mallory on vty1 (203.0.113.66)',
    ];
    await new Promise<void>((resolve, reject) => {
      const s = connect(ports.tcp, '127.0.0.1', () => s.end(lines.join('\n') + '\n'));
      s.on('close', () => resolve()); s.on('error', reject);
    });
    const headers = { authorization: `Bearer ${token}` };
    const api = async <T>(path: string) => (await (await fetch(`http://127.0.0.1:${ports.http}/api/v1${path}`, { headers })).json()) as T;
    type A = { device: string; rule: { title: string }; entities: { ips?: string[]; accounts?: string[] } };
    const TITLE = 'Configuration changed from an outside address';
    let mine: A[] = [];
    for (let i = 0; i < 200 && mine.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      mine = (await api<{ items: A[] }>('/alerts?detector=sigma&limit=500')).items.filter((a) => a.rule.title === TITLE);
    }
    await new Promise((r) => setTimeout(r, 500)); // a second alert of the rule would have arrived by now
    mine = (await api<{ items: A[] }>('/alerts?detector=sigma&limit=500')).items.filter((a) => a.rule.title === TITLE);
    assert.equal(mine.length, 1, 'only the change from the outside address fires the rule');
    assert.equal(mine[0].device, 'core-01');
    assert.deepEqual(mine[0].entities.accounts, ['mallory']);
    const incs = await api<{ total: number; items: { devices: string[]; techniques: { technique: string }[] }[] }>('/incidents?device=core-01');
    assert.ok(incs.total >= 1);
    assert.ok(incs.items.some((i) => i.devices.includes('core-01') && i.techniques.some((t) => t.technique.startsWith('T1562'))), JSON.stringify(incs.items));
    const out = join(dir, 'alerts.jsonl');
    for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(readFileSync(out, 'utf8'), /Configuration changed from an outside address/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
