import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { builtinChecks } from '../../../src/pipeline/audit.js';
import { parseConfig } from '../../../src/parsers/configs/parse.js';
import { evaluateChecks } from '../../../src/detectors/audit/evaluate.js';
import { compileCheck, CheckError, type CheckTestCase, type CompiledCheck } from '../../../src/detectors/audit/checks.js';
import { siteFromObject } from '../../../src/site/load.js';
import { REPO_ROOT } from '../../corpus.js';

const checks = builtinChecks();

function cases(c: CompiledCheck, which: 'fire' | 'quiet'): CheckTestCase[] {
  return (c.spec.tests?.[which] ?? []).map((t) => (typeof t === 'string' ? { config: t } : t));
}

function run(c: CompiledCheck, t: CheckTestCase) {
  const platform = t.platform ?? c.spec.platforms[0];
  const tree = parseConfig(t.config, `${c.id}.cfg`, { platform });
  const site = siteFromObject(t.site ?? {});
  return { tree, found: evaluateChecks(tree, [c], site) };
}

test('the rule set has at least 60 checks, each with ATT&CK ids from the technique table', () => {
  assert.ok(checks.length >= 60, `only ${checks.length} checks`);
  const table = parseYaml(readFileSync(join(REPO_ROOT, 'rules/attack/techniques.yml'), 'utf8')) as { techniques: Record<string, unknown> };
  for (const c of checks) {
    for (const a of c.spec.attack) {
      if (a.startsWith('T')) assert.ok(a in table.techniques, `${c.id}: ${a} is not in rules/attack/techniques.yml`);
    }
  }
  const kinds = new Set(checks.map((c) => c.spec.kind));
  assert.deepEqual([...kinds].sort(), ['compromise', 'hardening']);
});

for (const c of checks) {
  test(`check ${c.id} fires on its fire cases and stays quiet on its quiet cases`, () => {
    const fire = cases(c, 'fire');
    const quiet = cases(c, 'quiet');
    assert.ok(fire.length >= 1, `${c.id} has no fire test`);
    assert.ok(quiet.length >= 1, `${c.id} has no quiet test`);
    for (const t of fire) {
      const { tree, found } = run(c, t);
      assert.ok(found.length >= 1, `${c.id} did not fire on:\n${t.config}`);
      for (const f of found) {
        assert.equal(f.check.id, c.id);
        assert.ok(f.line >= 1 && f.line <= tree.lines.length, `${c.id}: line ${f.line} outside the snippet`);
      }
    }
    for (const t of quiet) {
      const { found } = run(c, t);
      assert.equal(found.length, 0, `${c.id} fired on a quiet case (line ${found[0]?.line}):\n${t.config}`);
    }
  });
}

test('invalid check definitions are refused with the file and check named', () => {
  const base = { id: 'X-1', title: 't', platforms: ['ios'], kind: 'hardening', severity: 'high', attack: ['T1190'], match: { find: '^x' }, remediation: 'no x' };
  assert.doesNotThrow(() => compileCheck(base, 'f.yml'));
  assert.throws(() => compileCheck({ ...base, severity: 'urgent' }, 'f.yml'), (e: Error) => e instanceof CheckError && /f\.yml \(check X-1\)/.test(e.message));
  assert.throws(() => compileCheck({ ...base, match: { find: '^(' } }, 'f.yml'), /not a valid regular expression/);
  assert.throws(() => compileCheck({ ...base, platforms: ['vyos'] }, 'f.yml'), /platforms/);
  assert.throws(() => compileCheck({ ...base, remediation: { junos: 'x' } }, 'f.yml'), /remediation/);
  assert.throws(() => compileCheck({ ...base, match: { find: '^x', missing: '^y' } }, 'f.yml'), /exactly one/);
});
