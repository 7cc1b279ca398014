import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { redactLine, REDACTED } from '../../../src/parsers/configs/redact.js';
import { detectPlatform } from '../../../src/parsers/configs/detect.js';
import { corpusPath } from '../../corpus.js';
import { corpusSecrets } from '../../secrets.js';

const R = REDACTED;

test('redactLine hides passwords, keys, hashes and communities on every platform', () => {
  const cases: [string, string, string][] = [
    ['ios', 'enable secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0', `enable secret 5 ${R}`],
    ['ios', 'username admin privilege 15 password 0 cisco', `username admin privilege 15 password 0 ${R}`],
    ['ios', ' password 7 0822455D0A16', ` password 7 ${R}`],
    ['ios', 'tacacs-server host 10.1.1.1 key 7 060506324F41', `tacacs-server host 10.1.1.1 key 7 ${R}`],
    ['ios', ' key 6 AAABBBCCC', ` key 6 ${R}`],
    ['ios', 'crypto isakmp key S3cr3t address 192.0.2.1', `crypto isakmp key ${R} address 192.0.2.1`],
    ['ios', ' pre-shared-key address 1.2.3.4 key psk1', ` pre-shared-key address 1.2.3.4 key ${R}`],
    ['ios', 'snmp-server community pUbl1c RO 10', `snmp-server community ${R} RO 10`],
    ['ios', 'snmp-server host 10.1.1.1 version 2c c0mmun1ty', `snmp-server host 10.1.1.1 version 2c ${R}`],
    ['ios', 'snmp-server user u g v3 auth sha AUTHKEY priv aes 128 PRIVKEY', `snmp-server user u g v3 auth sha ${R} priv aes 128 ${R}`],
    ['ios', 'ntp authentication-key 1 md5 104D000A0618 7', `ntp authentication-key 1 md5 ${R} 7`],
    ['ios', ' neighbor 10.0.0.2 password 7 1234ABCD', ` neighbor 10.0.0.2 password 7 ${R}`],
    ['ios', ' standby 1 authentication hsrpKey', ` standby 1 authentication ${R}`],
    ['ios', ' ip ospf message-digest-key 1 md5 7 0011223344', ` ip ospf message-digest-key 1 md5 7 ${R}`],
    ['ios', 'key config-key password-encryption MasterKey1', `key config-key password-encryption ${R}`],
    ['asa', 'enable password 8Ry2YjIyt7RRXU24 encrypted', `enable password ${R} encrypted`],
    ['asa', ' ikev1 pre-shared-key Pr3Shar3d', ` ikev1 pre-shared-key ${R}`],
    ['asa', 'snmp-server host management 10.1.1.1 community fwR0 version 2c', `snmp-server host management 10.1.1.1 community ${R} version 2c`],
    ['eos', 'username a privilege 15 role network-admin secret sha512 $6$abc$def', `username a privilege 15 role network-admin secret sha512 ${R}`],
    ['eos', '   area 0.0.0.0 encryption ipsec spi 44 esp null sha1 passphrase 7 7hl8FV3l==', `   area 0.0.0.0 encryption ipsec spi 44 esp null sha1 passphrase 7 ${R}`],
    ['nxos', 'snmp-server community read group network-operator', `snmp-server community ${R} group network-operator`],
    ['nxos', 'snmp-server user admin network-admin auth md5 0xabc priv 0xdef localizedkey', `snmp-server user admin network-admin auth md5 ${R} priv ${R} localizedkey`],
    ['junos', '        encrypted-password "$6$abc$def"; ## SECRET-DATA', `        encrypted-password ${R}; ## SECRET-DATA`],
    ['junos', 'set system tacplus-server 10.1.1.1 secret "$9$abc"', `set system tacplus-server 10.1.1.1 secret ${R}`],
    ['junos', 'set snmp community public authorization read-only', `set snmp community ${R} authorization read-only`],
    ['junos', '    community s3cret {', `    community ${R} {`],
    ['junos', 'set system ntp authentication-key 1 type sha256 value "$9$x"', `set system ntp authentication-key 1 type sha256 value ${R}`],
    ['junos', 'set security ike policy P pre-shared-key ascii-text "$9$y"', `set security ike policy P pre-shared-key ascii-text ${R}`],
  ];
  for (const [p, line, want] of cases) assert.equal(redactLine(line, p as never), want, line);
});

test('redactLine leaves lines without secrets alone', () => {
  for (const l of ['interface GigabitEthernet0/1', ' ip address 10.0.0.1 255.255.255.0', 'key chain KC1', ' key 1', 'ntp server 10.1.1.1 key 1',
    'service password-encryption', 'crypto key generate rsa modulus 2048', 'aaa authentication login default group T local', 'route-map X permit 10']) {
    assert.equal(redactLine(l, 'ios'), l);
  }
});

test('no known secret of the corpus survives redactLine on its own line', () => {
  const secrets = corpusSecrets();
  assert.ok(secrets.length >= 250, `only ${secrets.length} known secrets found in the corpus`);
  const platforms = new Map<string, ReturnType<typeof detectPlatform>>();
  const leaks: string[] = [];
  for (const s of secrets) {
    let p = platforms.get(s.file);
    if (!p) { p = detectPlatform(readFileSync(corpusPath('configs', s.file), 'utf8')); platforms.set(s.file, p); }
    const red = redactLine(s.text, p);
    const before = s.text.split(s.token).length;
    const after = red.split(s.token).length;
    if (after >= before) leaks.push(`${s.file}:${s.line}: ${s.token}`);
  }
  assert.deepEqual(leaks, []);
});
