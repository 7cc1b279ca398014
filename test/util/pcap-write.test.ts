import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcapBuffer, writePcap } from '../../src/util/pcap-write.js';
import { tsharkAvailable } from '../flows/tshark.js';

const datagrams = [
  { time: new Date('2026-11-23T04:05:06.123Z'), src: '192.0.2.1', dst: '127.0.0.1', srcPort: 40000, dstPort: 2055, payload: Buffer.from('hello') },
  { time: new Date('2026-11-23T04:05:07.456Z'), src: '2001:db8::1', dst: '::1', srcPort: 40001, dstPort: 4739, payload: Buffer.from('world!') },
];

test('pcap file layout: global header, record headers, frames', () => {
  const b = pcapBuffer(datagrams);
  assert.equal(b.readUInt32LE(0), 0xa1b2c3d4);
  assert.equal(b.readUInt32LE(20), 1, 'Ethernet link type');
  assert.equal(b.readUInt32LE(24), Math.floor(Date.parse('2026-11-23T04:05:06.123Z') / 1000));
  assert.equal(b.readUInt32LE(28), 123000, 'microseconds');
  const cap = b.readUInt32LE(32);
  assert.equal(cap, 14 + 20 + 8 + 5);
  assert.equal(b.subarray(40 + 14 + 28, 40 + cap).toString(), 'hello');
  assert.throws(() => pcapBuffer([{ ...datagrams[0], dst: '::1' }]), /same address family/);
});

test('tshark reads the written capture', { skip: tsharkAvailable() ? false : 'tshark not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-pcapw-'));
  try {
    const f = join(dir, 'x.pcap');
    writePcap(f, datagrams);
    assert.ok(readFileSync(f).length > 24);
    const out = execFileSync('tshark', ['-r', f, '-T', 'fields', '-e', 'udp.srcport', '-e', 'udp.length', '-e', 'frame.time_epoch', '-e', 'ip.checksum.status', '-e', 'udp.checksum.status', '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const rows = out.trim().split('\n').map((l) => l.split('\t'));
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.map((r) => r[0]), ['40000', '40001']);
    assert.deepEqual(rows.map((r) => r[1]), ['13', '14']);
    assert.equal(rows[0][2], '1795406706.123000000');
    assert.equal(rows[0][3], '1', 'IPv4 header checksum good');
    assert.equal(rows[1][4], '1', 'UDP/IPv6 checksum good');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
