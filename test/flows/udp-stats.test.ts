import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { dropsFromProcNetUdp, receiveBufferText, udpKernelStats } from '../../src/sources/udp-stats.js';

const SAMPLE = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  411: 0100007F:0803 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 123456 2 0000000000000000 17
  412: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 123457 2 0000000000000000 0
`;

test('drops of the socket on a port are read from the /proc/net/udp table', () => {
  assert.equal(dropsFromProcNetUdp(SAMPLE, 2051), 17);
  assert.equal(dropsFromProcNetUdp(SAMPLE, 68), 0);
  assert.equal(dropsFromProcNetUdp(SAMPLE, 9999), undefined);
});

test('the stats line names the rmem_max cap only when the request exceeds it', () => {
  assert.match(receiveBufferText(8388608, 8388608, { rmemMax: 4194304, drops: 3 }), /capped by net\.core\.rmem_max 4194304.*kernel drops 3$/);
  assert.doesNotMatch(receiveBufferText(425984, 212992, { rmemMax: 4194304, drops: 0 }), /capped/);
  assert.match(receiveBufferText(1, 2, {}), /kernel drops unknown$/);
});

test('a bound socket is found in the kernel table with no drops', { skip: existsSync('/proc/net/udp') ? false : 'no /proc/net/udp on this system' }, async () => {
  const sock = createSocket('udp4');
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  try {
    const k = udpKernelStats(sock.address().port, false);
    assert.equal(k.drops, 0);
    assert.ok((k.rmemMax ?? 0) > 0);
  } finally {
    sock.close();
  }
});
