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
