// The 32-bit IPv4 path of the `cidr` modifier agrees with the general (BigInt) prefix test of util/ip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matcher } from './helpers.js';
import { parseIp, parsePrefix, prefixContains } from '../../../src/util/ip.js';

test('cidr: IPv4 fast path agrees with util/ip on random networks and addresses', () => {
  let seed = 11;
  const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const q = () => `${rnd(4) ? rnd(256) : 10}.${rnd(256)}.${rnd(256)}.${rnd(256)}`;
  for (let k = 0; k < 30; k++) {
    const bits = [0, 1, 7, 8, 12, 16, 23, 24, 31, 32][rnd(10)];
    const addr = parseIp(q())!.value;
    const base = bits === 0 ? 0n : (addr >> BigInt(32 - bits)) << BigInt(32 - bits);
    const net = `${[24n, 16n, 8n, 0n].map((s) => String((base >> s) & 255n)).join('.')}/${bits}`;
    const m = matcher({ sel: { 'src_ip|cidr': net }, condition: 'sel' });
    const p = parsePrefix(net)!;
    for (let j = 0; j < 60; j++) {
      const ip = j % 3 === 0 ? [24n, 16n, 8n, 0n].map((s) => String(((base | BigInt(rnd(1 << 16))) >> s) & 255n)).join('.') : q();
      assert.equal(m({ src_ip: ip }), prefixContains(p, parseIp(ip)!), `${ip} in ${net}`);
    }
    // not an address, IPv6, mapped IPv4 and leading zeros keep their general-path answers
    for (const x of ['x.x.x.x', '1.2.3', '256.1.1.1', '2001:db8::1', `::ffff:${q()}`, '010.001.002.003']) {
      const ip = parseIp(x);
      const mapped = ip && ip.family === 6 && ip.value >> 32n === 0xffffn ? { family: 4 as const, value: ip.value & 0xffffffffn } : ip;
      assert.equal(m({ src_ip: x }), mapped ? prefixContains(p, mapped) : false, `${x} in ${net}`);
    }
  }
});
