#!/usr/bin/env node
// Builds Tidewatch's native UDP receive path (native/udp-recv: recvmmsg, Linux only) with node-gyp, run by `npm ci` /
// `npm install` (postinstall) and by `npm run build:native`. It is optional: without it the UDP listeners use Node's
// dgram, which costs about five times the CPU per datagram (docs/BENCHMARKS.md, flows). A failed build warns and
// exits 0, so an install never fails for it; TIDEWATCH_REQUIRE_NATIVE=1 makes the failure an error (CI sets it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'udp-recv');
const strict = process.env.TIDEWATCH_REQUIRE_NATIVE === '1';

function fail(why) {
  const msg = `tidewatch: native UDP receive path not built (${why}); UDP listeners fall back to Node's dgram`;
  if (strict) {
    console.error(`${msg}\n(TIDEWATCH_REQUIRE_NATIVE=1: failing)`);
    process.exit(1);
  }
  console.warn(msg);
  process.exit(0);
}

if (process.platform !== 'linux') fail(`recvmmsg needs Linux, this is ${process.platform}`);
if (!existsSync(join(dir, 'binding.gyp'))) fail(`${dir} is missing`);

// node-gyp as npm bundles it: on PATH inside npm scripts, else beside the npm that runs us, else beside node
const candidates = [];
if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
candidates.push(join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
const gyp = candidates.find((c) => existsSync(c));
const [cmd, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
// Node's own headers where this Node came with them (Debian's nodejs, a tarball install): node-gyp would otherwise
// download them, and a machine without that network fails
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : '');
const r = spawnSync(cmd, [...args, 'rebuild', '--directory', dir, ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.error) fail(`node-gyp: ${r.error.message}`);
if (r.status !== 0) {
  process.stderr.write(r.stdout.slice(-4000) + r.stderr.slice(-4000));
  fail(`node-gyp exited ${r.status}`);
}
console.log(`tidewatch: native UDP receive path built (${join('native', 'udp-recv', 'build', 'Release', 'udp_recv.node')})`);
