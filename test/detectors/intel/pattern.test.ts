import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePattern, PatternError, evalComparison, evalObservations, cidrContains } from '../../../src/detectors/intel/pattern.js';

function errorAt(p: string): { offset: number; message: string } {
  try { parsePattern(p); } catch (e) {
    assert.ok(e instanceof PatternError, `expected PatternError, got ${String(e)}`);
    return { offset: e.offset, message: e.message };
  }
  assert.fail(`pattern parsed but should not: ${p}`);
}

test('parses the comparison operators, qualifiers and both levels of AND/OR', () => {
  const ok = [
    "[ipv4-addr:value = '198.51.100.1']",
    "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "[ipv4-addr:value IN ('198.51.100.1', '198.51.100.2')]",
    "[domain-name:value LIKE '%.example.com']",
    "[url:value MATCHES '^https?://[^/]+/level/15/exec/']",
    "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
    "[network-traffic:dst_ref.value = '203.0.113.5' AND network-traffic:dst_port = 57722]",
    "[domain-name:value = 'a.example' OR ipv4-addr:value = '192.0.2.1']",
    "[ipv4-addr:value = '192.0.2.1'] AND [domain-name:value = 'x.example']",
    "[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [domain-name:value = 'x.example'] WITHIN 300 SECONDS",
    "([ipv4-addr:value = '192.0.2.1'] OR [ipv6-addr:value = '2001:db8::1']) REPEATS 3 TIMES",
    "[ipv4-addr:value != '192.0.2.1'] START t'2026-01-01T00:00:00Z' STOP t'2026-02-01T00:00:00Z'",
    "[process:name NOT LIKE 'ssh%' AND process:pid > 100]",
    "[x509-certificate:serial_number = h'0a1b']",
    "[email-message:body_multipart[*].body_raw_ref.name = 'a.zip']",
    "[file:size >= 1024.5]",
  ];
  for (const p of ok) assert.doesNotThrow(() => parsePattern(p), p);
  const f = parsePattern("[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [domain-name:value = 'x.example'] WITHIN 300 SECONDS");
  assert.equal(f.root.type, 'followedby');
  assert.deepEqual(f.features.sort(), ['FOLLOWEDBY', 'WITHIN']);
  assert.equal(f.observations.length, 2);
  const prec = parsePattern("[a-b:x = 1] OR [a-b:x = 2] AND [a-b:x = 3] FOLLOWEDBY [a-b:x = 4]");
  // FOLLOWEDBY binds loosest, AND tighter than OR
  assert.equal(prec.root.type, 'followedby');
  assert.equal(prec.root.type === 'followedby' && prec.root.left.type, 'or');
  const inner = parsePattern("[a-b:x = 1 OR a-b:y = 2 AND a-b:z = 3]");
  assert.equal(inner.root.type === 'observation' && inner.root.expr.type, 'or');
});

test('malformed patterns are rejected with the character offset', () => {
  const missing = "[ipv4-addr:value = '1.2.3.4'";
  assert.equal(errorAt(missing).offset, missing.length);
  assert.match(errorAt(missing).message, /offset 28: expected '\]'/);
  const doubled = "[ipv4-addr:value == '1.2.3.4']";
  assert.equal(errorAt(doubled).offset, doubled.indexOf('==') + 1);
  const dangling = "[ipv4-addr:value = 'x' AND]";
  assert.equal(errorAt(dangling).offset, dangling.indexOf(']'));
  const unterminated = "[url:value = 'http://x]";
  assert.equal(errorAt(unterminated).offset, unterminated.indexOf("'"));
  const badRe = "[url:value MATCHES '(unclosed']";
  assert.equal(errorAt(badRe).offset, badRe.indexOf("'"));
  assert.match(errorAt(badRe).message, /invalid regular expression/);
  const noOp = "[ipv4-addr:value '1.2.3.4']";
  assert.equal(errorAt(noOp).offset, noOp.indexOf("'"));
  assert.equal(errorAt('').offset, 0);
  const trailing = "[ipv4-addr:value = '1.2.3.4'] garbage";
  assert.equal(errorAt(trailing).offset, trailing.indexOf('garbage'));
  const badTs = "[ipv4-addr:value = '1'] START t'2026-13-01T00:00:00Z' STOP t'2027-01-01T00:00:00Z'";
  assert.equal(errorAt(badTs).offset, badTs.indexOf("t'"));
  const within = "[ipv4-addr:value = '1'] WITHIN SECONDS";
  assert.equal(errorAt(within).offset, within.indexOf('SECONDS'));
  const badEsc = "[file:name = 'a\\nb']";
  assert.equal(errorAt(badEsc).offset, badEsc.indexOf('\\'));
});

test('comparisons evaluate against observed objects', () => {
  const obs = [
    { type: 'url', value: 'https://edge1.example/level/15/exec/-/show' },
    { type: 'domain-name', value: 'mail.evil.example' },
    { type: 'ipv4-addr', value: '198.51.100.77' },
    { type: 'file', hashes: { 'SHA-256': 'AB'.repeat(32), MD5: 'cd'.repeat(16) } },
  ];
  const holds = (p: string) => {
    const parsed = parsePattern(p);
    assert.equal(parsed.root.type, 'observation');
    return parsed.root.type === 'observation' && evalComparison(parsed.root.expr, obs);
  };
  assert.equal(holds("[domain-name:value LIKE '%.evil.example']"), true);
  assert.equal(holds("[domain-name:value LIKE 'evil.example']"), false);
  assert.equal(holds("[domain-name:value LIKE 'mail._vil.example']"), true);
  assert.equal(holds("[url:value MATCHES '/level/15/exec/']"), true);
  assert.equal(holds("[url:value MATCHES '^http://']"), false);
  assert.equal(holds("[ipv4-addr:value ISSUBSET '198.51.100.0/25']"), true);
  assert.equal(holds("[ipv4-addr:value ISSUBSET '198.51.100.128/25']"), false);
  assert.equal(holds("[ipv4-addr:value NOT ISSUBSET '198.51.100.128/25']"), true);
  assert.equal(holds("[ipv4-addr:value != '198.51.100.77']"), false);
  assert.equal(holds("[ipv4-addr:value IN ('192.0.2.1', '198.51.100.77')]"), true);
  assert.equal(holds(`[file:hashes.'SHA-256' = '${'ab'.repeat(32)}']`), true, 'hash comparison ignores case');
  assert.equal(holds(`[file:hashes.MD5 = '${'cd'.repeat(16)}' AND domain-name:value = 'nope.example']`), false);
  assert.equal(holds(`[file:hashes.MD5 = '${'00'.repeat(16)}' OR domain-name:value = 'mail.evil.example']`), true);
  assert.equal(holds("[process:name = 'sshd']"), false);
  assert.equal(holds("[ipv6-addr:value ISSUBSET '2001:db8::/32']"), false);
  assert.equal(cidrContains('2001:db8::/32', '2001:db8:ffff::1'), true);
  assert.equal(cidrContains('2001:db8::/33', '2001:db8:ffff::1'), false);
  assert.equal(cidrContains('0.0.0.0/0', '203.0.113.9'), true);
});

test('observation-level AND, FOLLOWEDBY, WITHIN and REPEATS over seen times', () => {
  // a qualifier binds to the observation expression right before it: parentheses make it cover the sequence
  const bare = parsePattern("[ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [domain-name:value = 'x.example'] WITHIN 60 SECONDS");
  assert.equal(bare.root.qualifiers.length, 0);
  assert.equal(bare.root.type === 'followedby' && bare.root.right.qualifiers.length, 1);
  const p = parsePattern("([ipv4-addr:value = '192.0.2.1'] FOLLOWEDBY [domain-name:value = 'x.example']) WITHIN 60 SECONDS");
  const at = (a: number[], b: number[]) => (leaf: number) => (leaf === 0 ? a : b);
  assert.equal(evalObservations(p.root, at([1000], [30_000])).length, 1);
  assert.equal(evalObservations(p.root, at([30_000], [1000])).length, 0, 'wrong order');
  assert.equal(evalObservations(p.root, at([1000], [120_000])).length, 0, 'outside WITHIN');
  assert.equal(evalObservations(p.root, at([], [1000])).length, 0);
  const and = parsePattern("[ipv4-addr:value = '192.0.2.1'] AND [domain-name:value = 'x.example']");
  assert.equal(evalObservations(and.root, at([30_000], [1000])).length, 1, 'AND has no order');
  const rep = parsePattern("[ipv4-addr:value = '192.0.2.1'] REPEATS 3 TIMES WITHIN 10 SECONDS");
  assert.equal(evalObservations(rep.root, () => [0, 4000, 8000]).length, 1);
  assert.equal(evalObservations(rep.root, () => [0, 4000]).length, 0);
  assert.equal(evalObservations(rep.root, () => [0, 6000, 12000]).length, 0);
});
