import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIntelText, IntelInputError } from '../../../src/parsers/intel/detect.js';
import { advisoryBundle, IDS, MISP_EVENT } from '../../fixtures/intel/stix.js';

test('STIX bundle: indicators kept with relations, bad ones rejected with the reason and pattern offset', () => {
  const r = parseIntelText(JSON.stringify(advisoryBundle()), { source: 'aa.json' });
  assert.equal(r.format, 'stix');
  const rejected = new Map(r.rejected.map((x) => [x.ref, x.reason]));
  assert.match(rejected.get(IDS.indYara)!, /pattern_type "yara" is not supported/);
  assert.match(rejected.get(IDS.indBad)!, /pattern error at offset 32: expected an object path/);
  assert.match(rejected.get('not-an-id')!, /does not have the form indicator--UUID/);
  assert.equal(r.rejected.length, 3);
  const ind1 = r.objects.find((o) => o.id === IDS.ind1)!;
  assert.deepEqual(ind1.attack, ['T1071'], 'technique reached through the malware it indicates');
  assert.deepEqual(ind1.actors, ['DEMODEX', 'Salt Typhoon']);
  assert.equal(ind1.tlp, 'amber');
  assert.equal(ind1.confidence, 85);
  assert.equal(r.objects.find((o) => o.id === IDS.indRevoked)!.revoked, true);
  // the bare observable becomes a derived indicator; the observed-data one does not
  const derived = r.objects.filter((o) => o.type === 'indicator' && o.doc.x_tidewatch_derived_from);
  assert.deepEqual(derived.map((d) => d.pattern), ["[ipv4-addr:value = '158.247.222.165']"]);
  assert.ok(r.objects.some((o) => o.id === IDS.victimIp), 'victim observable is stored');
  // every valid object is kept: identity, 3 indicators, malware, intrusion-set, attack-pattern, 3 relationships, 2 SCOs, observed-data + 1 derived
  assert.equal(r.objects.length, 14);
});

test('STIX: unsupported pattern parts are reported, not dropped', () => {
  const b = advisoryBundle({ pattern1: "[process:name = 'JumbledPath'] FOLLOWEDBY [ipv4-addr:value = '45.125.67.144']" });
  const r = parseIntelText(JSON.stringify(b), { source: 'x' });
  const notes = r.notes.filter((n) => n.ref === IDS.ind1).map((n) => n.note).join('\n');
  assert.match(notes, /process:name: Tidewatch does not observe process objects/);
  assert.match(notes, /FOLLOWEDBY: needs several events/);
  assert.ok(r.objects.some((o) => o.id === IDS.ind1), 'still stored');
});

test('MISP event: matchable attributes become indicators with tags, others are skipped with the reason', () => {
  const r = parseIntelText(JSON.stringify(MISP_EVENT), { source: 'event.json' });
  assert.equal(r.format, 'misp');
  const pats = r.objects.map((o) => o.pattern).sort();
  assert.deepEqual(pats, [
    "[domain-name:value = 'news.colourtinctem.com']",
    "[file:hashes.'MD5' = '0123456789abcdef0123456789abcdef']",
    "[file:hashes.'SHA-256' = 'f2bbba1ea0f34b262f158ff31e00d39d89bbc471d04e8fca60a034cabe18e4f4']",
    "[ipv4-addr:value = '103.91.64.214']",
    "[ipv4-addr:value = '45.61.151.12']",
  ]);
  const dom = r.objects.find((o) => o.pattern!.includes('colourtinctem'))!;
  assert.equal(dom.id, 'indicator--5c5b6b2e-0002-4d3f-8f2a-0a1b2c3d4e5f');
  assert.equal(dom.confidence, 85);
  assert.equal(dom.source, 'misp:Example ISAC');
  assert.deepEqual(dom.attack, ['T1190']);
  assert.deepEqual(dom.actors, ['Salt Typhoon']);
  assert.equal(dom.tlp, 'green');
  assert.equal(dom.modified, '2024-11-25T02:00:00.000Z');
  assert.deepEqual(r.skipped.map((s) => s.reason).sort(), ['MISP type "text" is not something Tidewatch matches', 'to_ids is false (not for detection)']);
  assert.equal(r.rejected.length, 1);
  assert.match(r.rejected[0].reason, /"300.1.1.1" is not an IP address/);
  assert.ok(r.notes.some((n) => /port 443 is not part of the match/.test(n.note)));
});

test('plain lists: comments, CIDRs, IPv6, URLs, hashes; bad lines rejected with their line number', () => {
  const text = [
    '# Earth Estries C2', '45.125.67.144', '203.0.113.0/24  # a range', '2001:db8:bad::/48', 'https://Evil.Example/level/15/exec/-/',
    'materialplies.com', 'not a value!', '45.125.67.144', '', 'F2BBBA1EA0F34B262F158FF31E00D39D89BBC471D04E8FCA60A034CABE18E4F4', '10.0.0.0/33',
  ].join('\n');
  const r = parseIntelText(text, { source: 'iocs.txt', confidence: 40, validDays: 90, now: '2026-01-01T00:00:00.000Z' });
  assert.equal(r.format, 'list');
  assert.equal(r.objects.length, 6);
  assert.deepEqual(r.rejected.map((x) => x.ref), ['line 7', 'line 11']);
  assert.deepEqual(r.skipped.map((x) => x.ref), ['line 8']);
  assert.ok(r.objects.every((o) => o.confidence === 40 && o.valid_until === '2026-04-01T00:00:00.000Z'));
  assert.ok(r.objects.some((o) => o.pattern === "[url:value = 'https://evil.example/level/15/exec/-/']"));
  assert.ok(r.objects.some((o) => o.pattern === "[ipv6-addr:value = '2001:db8:bad::/48']"));
  // ids are derived from source and value: the same list gives the same ids
  const again = parseIntelText(text, { source: 'iocs.txt', now: '2027-01-01T00:00:00.000Z' });
  assert.deepEqual(again.objects.map((o) => o.id), r.objects.map((o) => o.id));
});

test('broken JSON is an input error naming the offset', () => {
  const text = '{"type": "bundle", "objects": [ {"type": "indicator",, } ]}';
  assert.throws(() => parseIntelText(text, { source: 'bad.json' }), (e: unknown) => {
    assert.ok(e instanceof IntelInputError);
    assert.match(e.message, /^bad\.json: not valid JSON at offset \d+/);
    assert.equal(e.position, text.indexOf(',,') + 1);
    return true;
  });
  assert.throws(() => parseIntelText('{"hello": 1}', { source: 'x.json' }), /neither a STIX bundle/);
});
