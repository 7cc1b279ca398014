import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusPath } from '../corpus.js';
import { parseEvent } from '../../src/parsers/index.js';
import { aclScan, aclRegex } from '../../src/parsers/syslog/cisco.js';
import { builtScan, builtRegex } from '../../src/parsers/syslog/asa.js';
import type { Event } from '../../src/model/event.js';

// The hand scanners of round 9 (aclScan for the IOS ACL messages, builtScan for ASA 302013 and its family) must give
// the regex's fields, in the regex's order, on every line they take, and take nothing they cannot read exactly (the
// regex then reads it). Checked on the message text of every corpus syslog line, on lines shaped like bench/hunt's,
// and on variants of both shapes that are one change away from the form the scanners take.

const REF = Date.UTC(2026, 10, 23);
const DIR = corpusPath('syslog');

function corpusMessages(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(DIR).filter((x) => /\.(log|txt|ini)$/.test(x)).sort()) {
    for (const raw of readFileSync(join(DIR, f), 'utf8').split('\n')) {
      const l = raw.replace(/%%/g, '%');
      if (!l.trim()) continue;
      const ev = parseEvent(l, { refMs: REF });
      if (typeof ev !== 'string' && typeof ev.message === 'string') out.push(ev.message);
      // the text after every "list " and "Built " in the line too, whatever its message id
      for (const word of ['list ', 'Built ']) for (let i = l.indexOf(word); i >= 0; i = l.indexOf(word, i + 1)) out.push(l.slice(i));
    }
  }
  return out;
}

const ACL = [
  'list 177 denied udp 85.217.100.8(46455) -> 10.29.216.202(161), 1 packet',
  'list EDGE-IN permitted tcp 11.2.3.4(5555) -> 10.1.2.3(23), 1 packet',
  'list MGMT denied tcp 1.2.3.4(0) -> 5.6.7.8(65535), 12 packets',
  'list 101 deny tcp 1.2.3.4(22) -> 5.6.7.8(23), 1 packet',
  'list 101 permit tcp 1.2.3.4(22) -> 5.6.7.8(23), 1 packet',
  'list ACL-IPv6-E0/0-IN/10 permitted tcp 2001:DB8:ADD:2::2(1027) -> 2001:DB8:1:1::1(22), 1 packets trailing text',
  'list A denied tcp 1.2.3.4(007) -> 5.6.7.8(0023), 0010 packet',
];
/** One change away from the form aclScan takes: each must still give the regex's fields (scanned or not). */
const ACL_VARIANTS = [
  'list  177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet', // two spaces
  'list 177  denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet',
  'list 177 denied  udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet',
  'list 177 denied udp  1.2.3.4(1) -> 5.6.7.8(2), 1 packet',
  'list 177 denied\tudp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet', // a tab
  'list 177 deniedx udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet',
  'list 177 denied udp 1.2.3.4 -> 5.6.7.8(2), 1 packet', // no source port
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8, 1 packet', // no destination port
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2)', // no packet count
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 pkt',
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2) (Gi0/1), 1 packet',
  'list 177 denied udp 1.2.3.4(1) (GigabitEthernet0/1 0000.1111.2222) -> 5.6.7.8(2), 1 packet',
  'list 177 denied udp 00-11-22-33-44-55 1.2.3.4(1) TenGigabitEthernet0/1-> 5.6.7.8(2), 1 packet', // MAC, no space
  'list 177 denied udp aa(1) -> bb(2), 1 packet',
  'list 177 denied udp 1.2.3.4(1234567890) -> 5.6.7.8(2), 1 packet', // ten digits
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 12345678901 packets',
  'list 177 denied udp 1.2.3.4() -> 5.6.7.8(2), 1 packet',
  'list 177 denied udp 1.2.3.4(1)-> 5.6.7.8(2), 1 packet',
  'list 177 denied udp 1.2.3.4(1) ->5.6.7.8(2), 1 packet',
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2),  1 packet',
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet, 2 packets',
  'list 17\u00e97 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet', // a non-ASCII name
  'list 177 denied ud\u00a0p 1.2.3.4(1) -> 5.6.7.8(2), 1 packet', // a non-breaking space (\s)
  'list 177 denied udp 1.2.3.4(1) -> -(2), 1 packet',
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet\r',
  ' list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet', // after a space: the regex's \s alternative
  'Rx/0: fman_fp_image: list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet',
  'access-list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet',
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), 1 packet list 9 permitted tcp 9.9.9.9(9) -> 8.8.8.8(8), 9 packets',
  'list',
  'list ',
  'list 177 denied udp 1.2.3.4(1',
  'list 177 denied udp 1.2.3.4(1) -> 5.6.7.8(2), ',
];

const BUILT = [
  'Built inbound TCP connection 2810510489 for outside:159.51.246.142/22593 (62.138.97.93/21494) to inside:10.94.37.131/443 (10.159.114.226/443)',
  'Built outbound TCP connection 123 for outside:11.2.3.4/5555 (11.2.3.4/5555) to inside:10.1.2.3/443 (10.1.2.3/443)',
  'Built outbound UDP connection 7 for outside:2001:db8::1/53 (2001:db8::1/53) to dmz:fe80::1/5353 (fe80::1/5353) extra',
  'Built inbound ICMP connection 7 for outside:1.2.3.4/0 (1.2.3.4/0) to inside:5.6.7.8/0 (5.6.7.8/0)',
  'Built inbound TCP connection 1 for out-side_2:1.2.3.4/0080 () to in(side):5.6.7.8/22 x',
];
const BUILT_VARIANTS = [
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (1.2.3.4/80)(LOCAL\\user) to inside:5.6.7.8/22 (5.6.7.8/22)', // identity
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (1.2.3.4/80) to inside:5.6.7.8/22', // no space at the end
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (1.2.3.4/80) to inside:5.6.7.8 (5.6.7.8)', // no port
  'Built inbound TCP connection 1 for outside:1.2.3.4 (1.2.3.4) to inside:5.6.7.8/22 (5.6.7.8/22)',
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (1.2.3.4/80 to inside:5.6.7.8/22 (5.6.7.8/22)', // no ')'
  'Built inbound TCP connection 1 for outside:1.2.3.4/1234567890 (x) to inside:5.6.7.8/22 (y)', // ten digits
  'Built inbound TCP connection 1 for outside:1.2.3.4/80x (x) to inside:5.6.7.8/22 (y)',
  'Built inbound TCP connection 1 for outside:1.2.3.4/80  (x) to inside:5.6.7.8/22 (y)',
  'Built inbound TCP connection 1 for outside:1.2.3.4/ (x) to inside:5.6.7.8/22 (y)',
  'Built inbound TCP connection 1 for :1.2.3.4/80 (x) to inside:5.6.7.8/22 (y)', // empty zone
  'Built inbound TCP connection 1 for out side:1.2.3.4/80 (x) to inside:5.6.7.8/22 (y)',
  'Built inbound TCP connection 1 for outs\u00e9de:1.2.3.4/80 (x) to inside:5.6.7.8/22 (y)', // non-ASCII zone
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (x) to insid\u00e9:5.6.7.8/22 (y)',
  'Built inbound TCP connection x1 for outside:1.2.3.4/80 (x) to inside:5.6.7.8/22 (y)',
  'Built inbound TCP connection  1 for outside:1.2.3.4/80 (x) to inside:5.6.7.8/22 (y)',
  'Built inbound TCP  connection 1 for outside:1.2.3.4/80 (x) to inside:5.6.7.8/22 (y)',
  'Built inbound Tc\u00e9P connection 1 for outside:1.2.3.4/80 (x) to inside:5.6.7.8/22 (y)',
  'Built  inbound TCP connection 1 for outside:1.2.3.4/80 (x) to inside:5.6.7.8/22 (y)',
  'Built sideways TCP connection 1 for outside:1.2.3.4/80 (x) to inside:5.6.7.8/22 (y)',
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (x)  to inside:5.6.7.8/22 (y)',
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (x) to inside:5.6.7.8/22\t(y)',
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (x) to inside:5.6.7.8/22 ',
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (x) to inside:5.6.7.8/22',
  'Built inbound TCP connection 1 for outside:gg/80 (x) to inside:5.6.7.8/22 (y)',
  'Built',
  'Built inbound TCP connection 1 for outside:1.2.3.4/80 (',
];

/** The fields a scanner or regex sets on an empty event, as text (values and order). */
function fields(f: (msg: string, ev: Event) => unknown, msg: string): string {
  const ev = {} as Event;
  f(msg, ev);
  return JSON.stringify(ev);
}

function compare(msgs: string[], scan: (msg: string, ev: Event) => boolean, regex: (msg: string, ev: Event) => void): number {
  let taken = 0;
  for (const msg of msgs) {
    const ev = {} as Event;
    const took = scan(msg, ev);
    if (took) {
      taken++;
      assert.equal(JSON.stringify(ev), fields(regex, msg), `scanner and regex differ on ${JSON.stringify(msg)}`);
    } else assert.equal(JSON.stringify(ev), '{}', `scanner set fields without taking ${JSON.stringify(msg)}`);
  }
  return taken;
}

test('aclScan gives RE.acl fields on every line it takes (corpus, bench shapes, variants) and leaves the rest to it', () => {
  const corpus = corpusMessages();
  assert.ok(corpus.length > 500, `corpus messages: ${corpus.length}`);
  const takenCorpus = compare(corpus, aclScan, aclRegex);
  assert.ok(takenCorpus >= 10, `corpus ACL lines taken by the scanner: ${takenCorpus}`);
  assert.equal(compare(ACL, aclScan, aclRegex), ACL.length);
  compare(ACL_VARIANTS, aclScan, aclRegex);
  // the variants the scanner must leave to the regex (their fields differ from the plain form's, or the form is not IOS's)
  for (const v of [0, 1, 2, 3, 4, 6, 7, 8, 10, 11, 12, 14, 15, 25, 26, 27]) assert.equal(aclScan(ACL_VARIANTS[v], {} as Event), false, ACL_VARIANTS[v]);
});

test('builtScan gives RE.built fields on every line it takes (corpus, bench shapes, variants) and leaves the rest to it', () => {
  const corpus = corpusMessages();
  compare(corpus, builtScan, builtRegex);
  assert.equal(compare(BUILT, builtScan, builtRegex), BUILT.length);
  compare(BUILT_VARIANTS, builtScan, builtRegex);
  for (const v of [0, 1, 2, 3, 5, 11]) assert.equal(builtScan(BUILT_VARIANTS[v], {} as Event), false, BUILT_VARIANTS[v]);
});

test('the ACL and 302013 extractors parse whole lines as before: bench shapes through parseEvent', () => {
  const acl = parseEvent('<190>Nov 23 00:00:01 pe1-nyc 123456: Nov 23 00:00:01.123: %SEC-6-IPACCESSLOGP: list EDGE-IN denied tcp 11.2.3.4(5555) -> 10.1.2.3(23), 1 packet', { refMs: REF });
  assert.ok(typeof acl !== 'string');
  assert.deepEqual(
    { acl: acl.acl, action: acl.action, protocol: acl.protocol, src_ip: acl.src_ip, src_port: acl.src_port, dst_ip: acl.dst_ip, dst_port: acl.dst_port, packets: acl.packets, kind: acl.kind },
    { acl: 'EDGE-IN', action: 'deny', protocol: 'tcp', src_ip: '11.2.3.4', src_port: 5555, dst_ip: '10.1.2.3', dst_port: 23, packets: 1, kind: 'traffic' },
  );
  const out = parseEvent('Nov 23 2026 00:00:01 fw5-nyc : %ASA-6-302013: Built outbound TCP connection 123 for outside:11.2.3.4/5555 (11.2.3.4/5555) to inside:10.1.2.3/443 (10.1.2.3/443)', { refMs: REF });
  assert.ok(typeof out !== 'string');
  // outbound: the second address started the connection
  assert.deepEqual(
    [out.action, out.protocol, out.connection_id, out.src_zone, out.src_ip, out.src_port, out.dst_zone, out.dst_ip, out.dst_port],
    ['built', 'tcp', '123', 'inside', '10.1.2.3', 443, 'outside', '11.2.3.4', 5555],
  );
});
