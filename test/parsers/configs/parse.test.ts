import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseConfig, ConfigError, walk } from '../../../src/parsers/configs/parse.js';
import { detectPlatform } from '../../../src/parsers/configs/detect.js';
import { corpusPath } from '../../corpus.js';

test('indentation builds sections with children and keeps line numbers', () => {
  const t = parseConfig('hostname r1\n!\ninterface Tunnel0\n ip address 10.0.0.1 255.255.255.0\n tunnel destination 192.0.2.1\n!\nline vty 0 4\n transport input ssh\nend\n', 'r1.cfg', { platform: 'ios' });
  assert.equal(t.hostname, 'r1');
  assert.deepEqual(t.nodes.map((n) => [n.text, n.line]), [['hostname r1', 1], ['interface Tunnel0', 3], ['line vty 0 4', 7]]);
  assert.deepEqual(t.nodes[1].children.map((n) => [n.text, n.line]), [['ip address 10.0.0.1 255.255.255.0', 4], ['tunnel destination 192.0.2.1', 5]]);
  assert.equal(t.nodes[1].children[0].parent, t.nodes[1]);
});

test('banner bodies are not parsed as statements', () => {
  const t = parseConfig('hostname r1\nbanner motd ^C\nline vty 0 4\nusername evil\n^C\nntp server 10.0.0.1\n', 'b.cfg', { platform: 'ios' });
  assert.deepEqual(t.nodes.map((n) => n.text), ['hostname r1', 'banner motd ^C', 'ntp server 10.0.0.1']);
  const e = parseConfig('hostname a1\nbanner login\nusername x nopassword\nEOF\nntp server 10.0.0.1\n', 'e.cfg', { platform: 'eos' });
  assert.deepEqual(e.nodes.map((n) => n.text), ['hostname a1', 'banner login', 'ntp server 10.0.0.1']);
});

test('Junos curly and set forms flatten to the same statements', () => {
  const curly = `system {
    host-name pe1;
    services {
        ssh {
            root-login deny;
        }
        telnet;
    }
    authentication-order [ tacplus password ];
}
interfaces {
    gr-0/0/0 {
        unit 0 {
            tunnel {
                source 10.0.0.1;
                destination 192.0.2.9;
            }
        }
    }
}
`;
  const set = `set system host-name pe1
set system services ssh root-login deny
set system services telnet
set system authentication-order [ tacplus password ]
set interfaces gr-0/0/0 unit 0 tunnel source 10.0.0.1
set interfaces gr-0/0/0 unit 0 tunnel destination 192.0.2.9
`;
  const a = parseConfig(curly, 'c.conf');
  const b = parseConfig(set, 's.conf');
  assert.equal(a.platform, 'junos');
  assert.equal(b.platform, 'junos');
  assert.equal(a.form, 'curly');
  assert.equal(b.form, 'set');
  assert.deepEqual(a.nodes.map((n) => n.text), b.nodes.map((n) => n.text));
  assert.equal(a.hostname, 'pe1');
  assert.equal(a.nodes.find((n) => n.text.endsWith('telnet'))!.line, 7);
  assert.deepEqual(a.nodes[1].blocks!.map((x) => x.text), ['system', 'services', 'ssh']);
});

test('files that are not configurations are refused with the reason', () => {
  const bad: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['blank', '\n\n  \n', /empty/],
    ['binary', randomBytes(4096).toString('latin1') + '\u0000', /binary/],
    ['noise', Array.from({ length: 2000 }, (_, i) => `Lorem ipsum ${i} dolor sit amet, consectetur adipiscing elit`).join('\n'), /not a recognizable/],
    ['show vlan', readFileSync(corpusPath('configs', 'ios__cisco.ios__ios_vlans_config.cfg'), 'utf8'), /not a recognizable/],
  ];
  for (const [name, text, why] of bad) {
    assert.throws(() => parseConfig(text, name), (e: Error) => e instanceof ConfigError && (e as ConfigError).file === name && why.test(e.message), name);
  }
  assert.equal(detectPlatform('hello world'), 'unknown');
});

test('truncated files are recognized as such and still parsed', () => {
  const full = readFileSync(corpusPath('configs', 'ios__pybatfish__ios_basic_hsrp_BR1.cfg'), 'utf8');
  assert.equal(parseConfig(full, 'full').truncated, undefined);
  const cut = full.slice(0, Math.floor(full.length / 3));
  const t = parseConfig(cut, 'cut');
  assert.match(t.truncated ?? '', /of the \d+ bytes its header declares/);
  const j = readFileSync(corpusPath('configs', 'junos__batfish__evpn-type5-juniper.cfg'), 'utf8');
  const jt = parseConfig(j.slice(0, Math.floor(j.length / 2)), 'j');
  assert.match(jt.truncated ?? '', /unclosed block/);
});

test('CRLF line endings and tabs are handled', () => {
  const t = parseConfig('hostname r1\r\ninterface Gi0/1\r\n\tdescription  x   y\r\n', 'crlf', { platform: 'ios' });
  assert.equal(t.nodes[1].children[0].text, 'description x y');
  assert.equal([...walk(t.nodes)].length, 3);
});
