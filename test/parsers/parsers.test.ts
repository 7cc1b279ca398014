import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync, utimesSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLine } from '../../src/parsers/index.js';
import type { Platform } from '../../src/parsers/index.js';
import type { Event } from '../../src/model/event.js';
import { parseFile } from '../../src/pipeline/parse.js';
import { redactSecrets } from '../../src/util/redact.js';
import { corpusPath } from '../corpus.js';

const REF = Date.UTC(2026, 10, 23, 12, 0, 0); // 2026-11-23T12:00:00Z

function ev(line: string, platform?: Platform): Event {
  const r = parseLine(line, { refMs: REF, platform });
  assert.ok(r.event, `expected an event for ${line}: ${r.error}`);
  return r.event;
}

function has(e: Event, fields: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(e[k], v, `field ${k} of ${e.raw as string}`);
}

test('IOS: PRI, sequence number, hostname, year, milliseconds and zone', () => {
  const e = ev('<189>2360957: core-01: Jan  6 2022 20:52:12.861 UTC: %SYS-5-CONFIG_I: Configured from console by akroh on vty0 (10.100.11.10)');
  has(e, { time: '2022-01-06T20:52:12.861Z', host: 'core-01', facility: 23, severity: 5, mnemonic: 'SYS-5-CONFIG_I', seq: 2360957,
    message: 'Configured from console by akroh on vty0 (10.100.11.10)', vendor: 'cisco', platform: 'ios', kind: 'config', user: 'akroh', tty: 'vty0', src_ip: '10.100.11.10' });
});

test('IOS: no sequence number, no year (inferred: closest before the reference time), zone offsets', () => {
  has(ev('<189>: sw01: Dec  8 20:07:53.081: %SYS-5-CONFIG_I: Configured from console by a on vty0 (10.0.0.1)'), { time: '2025-12-08T20:07:53.081Z', host: 'sw01' });
  has(ev('<189>Nov 20 10:00:00.5: %LINK-3-UPDOWN: Interface Tunnel7, changed state to up'), { time: '2026-11-20T10:00:00.500Z', interface: 'Tunnel7', state: 'up' });
  has(ev('<189>387448: host-01: May 6 16:13:09.123 UTC+07:30: %DOT1X-5-FAIL: x'), { time: '2026-05-06T08:43:09.123Z' });
  has(ev('<189>387448: host-01: May 6 16:13:09.123 CEST: %DOT1X-5-FAIL: x'), { time: '2026-05-06T14:13:09.123Z' });
  has(ev('3924923: *Oct  6 03:32:04.114 gmt: %SEC-6-IPACCESSLOGP: list bcv_out denied tcp 10.0.3.100(50150) -> 192.168.216.1(443), 1 packet'),
    { time: '2026-10-06T03:32:04.114Z', seq: 3924923, acl: 'bcv_out', action: 'deny', src_ip: '10.0.3.100', src_port: 50150, dst_ip: '192.168.216.1', dst_port: 443 });
});

test('IOS: relay RFC 3164 header in front of the device stamp; the device stamp wins', () => {
  const e = ev('Feb  8 04:00:48 192.168.100.2 585917: Feb  8 04:00:47.272: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: eve] [Source: 203.0.113.9] [localport: 22022] at 04:00:47 UTC Sun Feb 8 2026');
  has(e, { time: '2026-02-08T04:00:47.272Z', host: '192.168.100.2', kind: 'login', outcome: 'success', user: 'eve', src_ip: '203.0.113.9', local_port: 22022 });
  has(ev('<189>Jun 14 12:00:59 ac2109-sr2 AEST: %SEC_LOGIN-SW2-5-LOGIN_SUCCESS: Login Success [user: u1] [Source: 10.2.1.1] [localport: 22] at x'), { host: 'ac2109-sr2', user: 'u1', mnemonic: 'SEC_LOGIN-SW2-5-LOGIN_SUCCESS' });
  has(ev('<182>: host-1: 115649616: Jan 23 14:54:28.511 CET: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: root] [Source: 198.51.100.4] [localport: 22] [Reason: Login Authentication Failed] at x'),
    { host: 'host-1', outcome: 'failure', reason: 'Login Authentication Failed', severity: 4 });
});

test('IOS: config logger commands, plain and XML, and Guest Shell / webui messages', () => {
  has(ev('Nov 23 03:04:05 r1 12: Nov 23 03:04:05.000 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:access-list 20 permit host 203.0.113.7'),
    { kind: 'command', user: 'admin', cmd: 'access-list 20 permit host 203.0.113.7' });
  has(ev('<189>12: r1: Nov 23 03:04:05 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: <user>eve</user><srcIP>10.9.9.9</srcIP><enteredCommand><cli>ip http port 18080</cli></enteredCommand>'),
    { kind: 'command', user: 'eve', src_ip: '10.9.9.9', cmd: 'ip http port 18080' });
  has(ev('<189>1: r1: Nov 23 03:04:05 UTC: %SYS-5-CONFIG_P: Configured programmatically by process SEP_webui_wsma_http from console as cisco_tac_admin on vty0'),
    { kind: 'config', config_process: 'SEP_webui_wsma_http', user: 'cisco_tac_admin', tty: 'vty0' });
  has(ev('<189>1: r1: Nov 23 03:04:05 UTC: %WEBUI-6-INSTALL_OPERATION_INFO: User: cisco_support, Install Operation: ADD bootflash:implant.bin'),
    { user: 'cisco_support', operation: 'ADD', file: 'bootflash:implant.bin' });
  has(ev('<189>1: r1: Nov 23 03:04:05 UTC: %HA_EM-6-LOG: CATCHALL: guestshell run bash'), { kind: 'command', applet: 'CATCHALL', cmd: 'guestshell run bash' });
  has(ev('<190>1: r1: Nov 23 03:04:05 UTC: %SYS-6-LOGGINGHOST_STARTSTOP: Logging to host 10.1.1.5 port 514 stopped - CLI initiated'), { dst_ip: '10.1.1.5', dst_port: 514, state: 'stopped' });
  has(ev('<190>1: r1: Nov 23 03:04:05 UTC: %SSH-5-SSH2_USERAUTH: User \'noc1\' authentication for SSH2 Session from 10.4.4.4 (tty = 0) using crypto cipher \'aes256-ctr\', hmac \'hmac-sha2-256\' Failed'),
    { kind: 'login', user: 'noc1', src_ip: '10.4.4.4', outcome: 'failure' });
});

test('IOS XR: node prefix, process tag, four-part message ids', () => {
  const e = ev('<190>Oct 7 07:19:44 pe1 RP/0/RP0/CPU0:Oct 7 07:19:43.630 UTC: config[65712]: %MGBL-CONFIG-6-DB_COMMIT : Configuration committed by user \'eve\'. Use \'show configuration commit changes 1000000042\' to view the changes.');
  has(e, { platform: 'iosxr', node: 'RP/0/RP0/CPU0', program: 'config', pid: 65712, mnemonic: 'MGBL-CONFIG-6-DB_COMMIT', kind: 'config', user: 'eve', commit_id: '1000000042', host: 'pe1' });
  has(ev('<190>Oct 7 07:19:44 pe1 RP/0/RP0/CPU0:Oct 7 07:19:43.630 UTC: exec[1]: %INFRA-INFRA_MSG-5-RUN_LOGIN : User eve logged into shell from vty0'), { kind: 'login', user: 'eve', shell: true });
  has(ev("<190>Oct 7 07:19:44 pe1 RP/0/RP0/CPU0:Oct 7 07:19:43.630 UTC: SSHD_[65867]: %SECURITY-SSHD-6-INFO_SUCCESS : Successfully authenticated user 'eve' from '203.0.113.5' on 'vty0'(cipher 'aes128-ctr', mac 'hmac-sha1')"),
    { kind: 'login', outcome: 'success', user: 'eve', src_ip: '203.0.113.5', tty: 'vty0' });
});

test('NX-OS: year-first stamps, relay forms, AAA accounting and relayed Linux messages', () => {
  has(ev('<189>10.100.0.32: 2023 Apr 27 09:38:56 UTC: %ETHPORT-5-IF_ADMIN_UP: Interface Ethernet1/42 is admin up .'), { platform: 'nxos', host: '10.100.0.32', time: '2023-04-27T09:38:56.000Z' });
  has(ev('<190>109692: n9k: May 9 14:40:12.903: %AAA-6-AAA_ACCOUNTING_MESSAGE: update:10.63.12.105@pts/0:admin:guestshell enable (SUCCESS)'),
    { platform: 'nxos', kind: 'command', user: 'admin', src_ip: '10.63.12.105', tty: 'pts/0', cmd: 'guestshell enable', outcome: 'success' });
  has(ev('<187>May  3 13:55:35 10.100.0.35 2023 May  3 13:55:35.928 AEST: %AUTHPRIV-3-SYSTEM_MSG: pam_aaa:Authentication failed for user admin from 172.20.240.105 - sshd[10021]'),
    { program: 'sshd', pid: 10021, kind: 'login', outcome: 'failure', user: 'admin', src_ip: '172.20.240.105', time: '2023-05-03T03:55:35.928Z' });
  has(ev('<189>May  3 13:55:35 n7k 2023 May  3 13:55:35.928 UTC: %VSHD-5-VSHD_SYSLOG_CONFIG_I: Configured from vty by admin on 172.20.240.105@pts/0'), { kind: 'config', user: 'admin', src_ip: '172.20.240.105' });
});

test('ASA: connections, ACL hits and administrator commands', () => {
  has(ev('Apr 29 2013 12:59:50: %ASA-6-302013: Built inbound TCP connection 89743274 for outside:192.0.2.43/51000 (192.0.2.43/51000) to inside:10.1.1.5/22 (10.1.1.5/22)'),
    { platform: 'asa', kind: 'traffic', src_ip: '192.0.2.43', src_port: 51000, dst_ip: '10.1.1.5', dst_port: 22, protocol: 'tcp', time: '2013-04-29T12:59:50.000Z' });
  has(ev('Apr 24 2013 16:00:28 INT-FW01 : %ASA-6-106100: access-list inside denied udp inside/172.29.2.101(1039) -> outside/192.168.2.10(53) hit-cnt 1 first hit [0xd820e56a, 0x0]'),
    { host: 'INT-FW01', acl: 'inside', action: 'deny', src_ip: '172.29.2.101', dst_port: 53 });
  has(ev("<165>Nov 23 03:04:05 fw1 : %ASA-5-111010: User 'eve', running 'CLI' from IP 10.8.8.8, executed 'copy running-config tftp://198.51.100.9/fw1.cfg'"),
    { kind: 'command', user: 'eve', src_ip: '10.8.8.8', cmd: 'copy running-config tftp://198.51.100.9/fw1.cfg' });
  has(ev('%ASA-1-505015: Module ips, application up "IPS"'), { platform: 'asa', severity: 1, mnemonic: 'ASA-1-505015' });
});

test('ASA: the destination address runs to its end when nothing fixed follows it (106023, 106014)', () => {
  // the elastic sample's first line: the lazy address pattern used to stop at "1" and leave the rest to `.*?`
  const line = readFileSync(corpusPath('syslog', 'asa__elastic-integrations__test-sample.log'), 'utf8').split('\n')[0];
  assert.match(line, /%ASA-4-106023: Deny tcp src dmz:10\.1\.2\.30\/63016 dst outside:192\.168\.0\.8\/53 by access-group/);
  has(ev(line), { kind: 'traffic', action: 'deny', protocol: 'tcp', src_zone: 'dmz', src_ip: '10.1.2.30', src_port: 63016,
    dst_zone: 'outside', dst_ip: '192.168.0.8', dst_port: 53, acl: 'acl_dmz' });
  // 106014 goes through the generic src/dst reader, with no port on either side
  const e = ev('Nov 23 2026 03:04:05 fw1 : %ASA-3-106014: Deny inbound icmp src outside:198.51.100.7 dst inside:10.20.30.40 (type 8, code 0)');
  has(e, { kind: 'traffic', action: 'deny', src_zone: 'outside', src_ip: '198.51.100.7', dst_zone: 'inside', dst_ip: '10.20.30.40' });
  assert.equal(e.dst_port, undefined);
  has(ev('%ASA-4-106023: Deny udp src outside:2001:db8::7/5353 dst inside:2001:db8::1:10/53 by access-group "v6-in"'),
    { src_ip: '2001:db8::7', src_port: 5353, dst_ip: '2001:db8::1:10', dst_port: 53 });
});

test('Junos: RFC 5424 structured data, BSD-style tags, relayed RFC 5424', () => {
  has(ev('<37>1 2023-05-09T15:00:06.756+10:00 fw01 sshd - SSHD_LOGIN_FAILED [junos@2636.1.1.1.2.129 username="root" source-address="175.16.199.1"]'),
    { platform: 'junos', vendor: 'juniper', kind: 'login', outcome: 'failure', user: 'root', src_ip: '175.16.199.1', time: '2023-05-09T05:00:06.756Z', host: 'fw01', mnemonic: 'SSHD_LOGIN_FAILED' });
  has(ev("Nov 23 03:04:05 mx1 mgd[4242]: UI_CMDLINE_READ_LINE: User 'eve', command 'set system login user x class super-user '"),
    { platform: 'junos', kind: 'command', user: 'eve', cmd: 'set system login user x class super-user ', program: 'mgd', pid: 4242 });
  has(ev("Nov 23 03:04:05 mx1 mgd[4242]: UI_COMMIT: User 'eve' requested 'commit' operation (comment: none)"), { kind: 'config', user: 'eve', operation: 'commit' });
  has(ev("Nov 23 03:04:05 mx1 mgd[4242]: UI_LOGIN_EVENT: User 'eve' login, class 'j-super-user' [4242], ssh-connection '203.0.113.8 51111 10.0.0.1 22', client-mode 'cli'"),
    { kind: 'login', user: 'eve', src_ip: '203.0.113.8', local_port: 22 });
  has(ev('Sep 23 13:54:55 192.168.1.1 junos-flow: 2017-09-23T13:54:54.803Z srx1 RT_FLOW - RT_FLOW_SESSION_DENY [junos@2636.1.1.1.2.39 source-address="192.168.1.1" source-port="1080" destination-address="192.168.1.2" destination-port="8010"]'),
    { host: 'srx1', relay: '192.168.1.1', kind: 'traffic', action: 'deny', src_ip: '192.168.1.1', dst_port: 8010 });
});

test('Arista EOS: agent tag before the Cisco-style id; accounting AV pairs', () => {
  has(ev('Nov 23 03:04:05 leaf1 ConfigAgent: %SYS-5-CONFIG_E: Enter configuration mode from console by admin on vty3 (10.1.1.1)'), { platform: 'eos', vendor: 'arista', kind: 'config', user: 'admin', program: 'ConfigAgent' });
  has(ev('Nov 23 03:04:05 leaf1 Aaa: %ACCOUNTING-6-CMD: admin vty3 10.1.1.1 stop task_id=17 start_time=1763866000.1 timezone=UTC service=shell priv-lvl=15 cmd=username bob privilege 15 role network-admin secret sha512 x <cr>'),
    { platform: 'eos', kind: 'command', user: 'admin', src_ip: '10.1.1.1', priv_lvl: 15, task_id: 17, cmd: 'username bob privilege 15 role network-admin secret sha512 x' });
});

test('Linux: sshd, sudo, su and account changes', () => {
  has(ev('Nov 23 03:04:05 jump1 sshd[1234]: Accepted publickey for alice from 10.0.0.5 port 51234 ssh2: ED25519 SHA256:abc'),
    { platform: 'linux', program: 'sshd', pid: 1234, kind: 'login', outcome: 'success', user: 'alice', src_ip: '10.0.0.5', src_port: 51234, auth_method: 'publickey', host: 'jump1' });
  has(ev('Nov 23 03:04:05 jump1 sshd[1234]: Failed password for invalid user admin from 203.0.113.9 port 4242 ssh2'), { outcome: 'failure', user: 'admin', reason: 'invalid user' });
  has(ev('Nov 23 03:04:05 jump1 sshd[1]: Server listening on 0.0.0.0 port 22022.'), { local_port: 22022 });
  has(ev('Nov 23 03:04:05 jump1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/sbin/useradd cisco'),
    { kind: 'command', user: 'alice', run_as: 'root', cmd: '/usr/sbin/useradd cisco', tty: 'pts/0' });
  has(ev('Nov 23 03:04:05 jump1 useradd[99]: new user: name=cisco, UID=1001, GID=1001, home=/home/cisco, shell=/bin/bash'), { kind: 'account', target_user: 'cisco', action: 'add' });
  has(ev('<38>1 2026-11-23T03:04:05.123456+00:00 jump1 sshd 77 - - Accepted password for bob from 192.0.2.1 port 5 ssh2'), { platform: 'linux', user: 'bob', time: '2026-11-23T03:04:05.123Z' });
});

test('TACACS+: tac_plus files (tabs, spaces, ISO stamps), relayed by syslog, and Cisco ISE', () => {
  has(ev('Nov 23 03:04:05\t10.1.1.1\teve\ttty2\t203.0.113.7\tstop\ttask_id=5\ttimezone=UTC\tservice=shell\tpriv-lvl=15\tcmd=copy running-config tftp://203.0.113.7/r1.cfg <cr>'),
    { platform: 'tac_plus', host: '10.1.1.1', nas: '10.1.1.1', user: 'eve', tty: 'tty2', src_ip: '203.0.113.7', acct_type: 'stop', task_id: 5, priv_lvl: 15, kind: 'command', cmd: 'copy running-config tftp://203.0.113.7/r1.cfg', time: '2026-11-23T03:04:05.000Z' });
  has(ev('2026-11-23 03:04:05 +0100 10.1.1.1 eve tty2 203.0.113.7 start task_id=6 timezone=UTC service=shell'), { kind: 'login', acct_type: 'start', time: '2026-11-23T02:04:05.000Z' });
  has(ev('Nov 23 03:04:05\t10.1.1.1\teve\ttty2\t10.0.0.9\tstop\ttask_id=8\tservice=shell\tcmd=show\tcmd-arg=running-config\tcmd-arg=<cr>'), { cmd: 'show running-config' });
  has(ev('<86>Nov 23 03:04:05 tacsrv tac_plus[812]: 10.1.1.2 eve tty3 10.0.0.9 stop task_id=9 timezone=UTC service=shell priv-lvl=15 cmd=monitor capture CAP start <cr>'),
    { platform: 'tac_plus', host: '10.1.1.2', aaa_server: 'tacsrv', cmd: 'monitor capture CAP start', kind: 'command' });
  const ise = ev('<182>Feb 21 19:13:08 cisco-ise-host CISE_TACACS_Accounting 0000000001 4 0 2020-02-21 19:13:08.328 +00:00 0018415781 3300 NOTICE Tacacs-Accounting: TACACS+ Accounting with Command, ConfigVersionId=1829, Device IP Address=81.2.69.144, CmdSet=[ CmdAV=show mac-address-table <cr> ], NetworkDeviceName=wlnwan1, Privilege-Level=15, User=psxvne, Port=tty10, Remote-Address=81.2.69.145, AVPair=task_id=2962, AcctRequest-Flags=Stop, Service-Argument=shell');
  has(ise, { platform: 'ise', host: 'wlnwan1', nas: '81.2.69.144', user: 'psxvne', src_ip: '81.2.69.145', cmd: 'show mac-address-table', priv_lvl: 15, task_id: 2962, acct_type: 'stop', kind: 'command', time: '2020-02-21T19:13:08.328Z', aaa_server: 'cisco-ise-host' });
});

test('JSON Lines: fields kept, nested objects kept, time from @timestamp / epoch; parse output unwrapped', () => {
  const e = ev('{"@timestamp":"2026-03-14T23:15:00Z","id":{"orig_h":"10.1.1.1"},"query":"x.onion"}');
  has(e, { time: '2026-03-14T23:15:00.000Z', query: 'x.onion' });
  assert.deepEqual(e.id, { orig_h: '10.1.1.1' });
  has(ev('{"ts":1700000000,"time":1700000000123}'), { time: 1700000000123 });
  has(ev('{"timestamp":1700000000}'), { time: '2023-11-14T22:13:20.000Z' });
  has(ev('{"source":{"file":"a","line":1},"event":{"host":"r1","time":"2026-01-01T00:00:00.000Z"}}'), { host: 'r1' });
  assert.match(parseLine('{"a":', {}).error ?? '', /invalid JSON/);
  assert.match(parseLine('[1,2]', { json: true }).error ?? '', /not an object/);
});

test('bad input: empty, garbage, truncated and binary lines give errors or partial events, never throw', () => {
  assert.ok(parseLine('', {}).error);
  assert.match(parseLine('hello world', {}).error ?? '', /no syslog header/);
  for (const s of ['<', '<999>x', '<189>', '%', '%SYS-5-', '<189>1: ', 'Nov 23', '\u0000\u0001\u0002', 'x'.repeat(70000), '<30>1 2023-05-04T15:27:30Z h a p m [broken']) {
    const r = parseLine(s, { refMs: REF });
    assert.ok(r.event || r.error, `no answer for ${s.slice(0, 20)}`);
  }
});

test('parseFile: gzip by content, stdin-like streams, mtime as the year reference, line numbers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-parse-'));
  const f = join(dir, 'r1.log');
  writeFileSync(f, gzipSync('Dec 31 23:59:59.000: %SYS-5-CONFIG_I: Configured from console by a on vty0 (10.0.0.1)\n\nnot a log line\n'));
  const mtime = new Date(Date.UTC(2026, 0, 2));
  utimesSync(f, mtime, mtime);
  const items = [];
  for await (const b of parseFile(f)) items.push(...b);
  assert.equal(items.length, 2);
  assert.equal(items[0].event?.time, '2025-12-31T23:59:59.000Z');
  assert.equal(items[1].line, 3);
  assert.ok(items[1].error);
});

test('secrets in commands are redacted for output', () => {
  assert.equal(redactSecrets('username bob privilege 15 secret 5 $1$abc'), 'username bob privilege 15 secret 5 <redacted>');
  assert.equal(redactSecrets('snmp-server community s3cr3t RW'), 'snmp-server community <redacted> RW');
  assert.equal(redactSecrets('tacacs-server host 10.1.1.1 key 7 0822455D0A16'), 'tacacs-server host 10.1.1.1 key 7 <redacted>');
  assert.equal(redactSecrets('copy bootflash:tac.pcap ftp://u:pw@198.51.100.1/x'), 'copy bootflash:tac.pcap ftp://u:<redacted>@198.51.100.1/x');
  assert.equal(redactSecrets('show running-config'), 'show running-config');
  assert.equal(redactSecrets('username eve password hunter2'), 'username eve password <redacted>');
});

test('the English of log messages around the word password is not taken for a secret', () => {
  for (const m of ['Accepted password for mallory from 203.0.113.5 port 51504 ssh2', 'Failed password for invalid user root from 198.51.100.7 port 22 ssh2',
    'password changed for user netops', 'Password authentication failed for user admin']) assert.equal(redactSecrets(m), m);
});

test('message ids: parts from the first and last dashes, and cached ids stay apart', async () => {
  const { splitMnemonic } = await import('../../src/parsers/syslog/cisco.js');
  const a = splitMnemonic('%FAC-5-XAa: one', 0), b = splitMnemonic('%FAC-5-XBB: two', 0), a2 = splitMnemonic('%FAC-5-XAa: three', 0);
  assert.deepEqual([a?.mnemonic, a?.name, a?.severity, a?.facility], ['FAC-5-XAa', 'XAa', 5, 'FAC']);
  assert.deepEqual([b?.mnemonic, b?.name, b?.severity], ['FAC-5-XBB', 'XBB', 5]);
  assert.equal(a2?.mnemonic, 'FAC-5-XAa');
  assert.equal(a2?.text, '%FAC-5-XAa: three'.indexOf('three'));
  // the parts come from the first and last two dashes
  const x = splitMnemonic('%ROUTING-BGP-5-ADJCHANGE : neighbor 1.2.3.4 Up', 0);
  assert.deepEqual([x?.facility, x?.name, x?.severity], ['ROUTING', 'ADJCHANGE', 5]);
  assert.equal(splitMnemonic('%NO-SEVERITY-HERE: x', 0), undefined, 'a % id needs a severity digit');
  assert.equal(splitMnemonic('%A--5-B: x', 0), undefined, 'empty part');
  assert.equal(ev('<189>1: r1: Nov 23 11:00:00.000 UTC: %FAC-5-XBB: two').mnemonic, 'FAC-5-XBB');
});

test('event time: the ms of the ISO string made last is that of Date.parse, and only for that string', async () => {
  const { isoFromMs, lastIsoMsOf } = await import('../../src/parsers/syslog/time.js');
  for (const ms of [0, -1, 1, 1763856000123, -62167219200000, 253402300799999]) {
    const iso = isoFromMs(ms);
    assert.equal(lastIsoMsOf(iso), Date.parse(iso), iso);
    assert.equal(lastIsoMsOf(iso), ms);
  }
  const a = isoFromMs(1763856000123);
  isoFromMs(1763856000124);
  assert.equal(lastIsoMsOf(a), undefined, 'an older string is not taken for the last one');
  // not ISO forms (years beyond 0..9999, fractions of a ms): never answered from the cache
  for (const ms of [-62167219200001, 253402300800000, 1500.5]) {
    const s = isoFromMs(ms);
    assert.equal(lastIsoMsOf(s), undefined, s);
  }
  // the engine's event time from the parser's string equals Date.parse of it
  const e = ev('<189>1: r1: Nov 23 11:00:00.042 UTC: %FAC-5-XBB: two');
  assert.equal(lastIsoMsOf(e.time as string), Date.parse(e.time as string));
});

test('interface state and login outcome: trailing punctuation cut, "fail" only in the first 20 characters', () => {
  const ifl = (s: string) => ev(`<189>1: r1: Nov 23 11:00:00.000 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface Gi0/1, changed state to ${s}`);
  assert.equal(ifl('down').state, 'down');
  assert.equal(ifl('down.').state, 'down');
  assert.equal(ifl('up,').state, 'up');
  assert.equal(ifl('up..').state, 'up.', 'one character cut, as the regular expression replace did');
  assert.equal(ifl('.').state, '', 'a state of only the punctuation becomes empty');
  assert.equal(ifl('down').interface, 'Gi0/1');
  const login = (text: string) => ev(`<189>1: r1: Nov 23 11:00:00.000 UTC: %SEC_LOGIN-5-LOGIN_SUCCESS: ${text}`).outcome;
  assert.equal(login('Login failed [user: a] [Source: 10.0.0.1]'), 'failure');
  assert.equal(login('LOGIN FAILED [user: a]'), 'failure');
  assert.equal(login('Login Success [user: fail] [Source: 10.0.0.1]'), 'success', '"fail" after the first 20 characters');
  assert.equal(login('xxxxxxxxxxxxxxxxfail'), 'failure', '"fail" ending at character 20');
  assert.equal(login('xxxxxxxxxxxxxxxxxfail'), 'success', '"fail" ending at character 21');
  assert.equal(login('Fai'), 'success');
});
