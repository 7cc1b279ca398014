import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp, parsePrefix, inAnyPrefix, formatIp, DEFAULT_INTERNAL_PREFIXES } from '../../src/util/ip.js';

test('parses IPv4 and rejects junk', () => {
  assert.equal(parseIp('10.1.2.3')?.value, (10n << 24n) | (1n << 16n) | (2n << 8n) | 3n);
  assert.equal(parseIp('256.1.1.1'), undefined);
  assert.equal(parseIp('1.2.3'), undefined);
  assert.equal(parseIp('a.b.c.d'), undefined);
});

test('parses IPv6 forms and formats them back', () => {
  const a = parseIp('2001:db8::1');
  assert.ok(a);
  assert.equal(formatIp(a.value, 6), '2001:db8::1');
  assert.equal(formatIp(parseIp('::ffff:10.0.0.1')!.value, 6), '::ffff:a00:1');
  assert.equal(parseIp('2001:db8:::1'), undefined);
  assert.equal(parseIp('1:2:3:4:5:6:7:8:9'), undefined);
});

test('prefixes in CIDR, netmask and host form', () => {
  assert.equal(parsePrefix('10.1.2.3/8')?.text, '10.0.0.0/8');
  assert.equal(parsePrefix('192.168.1.0 255.255.255.0')?.bits, 24);
  assert.equal(parsePrefix('192.168.1.0/255.255.0.0')?.bits, 16);
  assert.equal(parsePrefix('1.2.3.4')?.bits, 32);
  assert.equal(parsePrefix('1.2.3.4/33'), undefined);
  assert.equal(parsePrefix('2001:db8::/32')?.bits, 32);
});

test('default internal ranges cover RFC 1918 and RFC 6598 but not public space', () => {
  const prefixes = DEFAULT_INTERNAL_PREFIXES.map((p) => parsePrefix(p)!);
  assert.ok(inAnyPrefix('172.20.1.1', prefixes));
  assert.ok(inAnyPrefix('100.100.1.1', prefixes));
  assert.ok(!inAnyPrefix('172.32.0.1', prefixes));
  assert.ok(!inAnyPrefix('8.8.8.8', prefixes));
  assert.ok(!inAnyPrefix('not-an-ip', prefixes));
});
