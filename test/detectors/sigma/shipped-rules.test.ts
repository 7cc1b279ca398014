// The shipped rules (rules/sigma/): every rule loads, every alerting rule has cases in rules/sigma/tests/*.test.yml
// that must fire and near-misses that must not, run through the parsers and the same HuntEngine as `tidewatch hunt`;
// and the rules run over the real device corpus, with the alerts per rule printed and bounded (noise is a bug).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HuntEngine, SHIPPED_RULES, huntFiles } from '../../../src/pipeline/hunt.js';
import { formatProblem } from '../../../src/detectors/sigma/index.js';
import { parseLine } from '../../../src/parsers/index.js';
import type { Alert } from '../../../src/model/alert.js';
import { corpusPath } from '../../corpus.js';

const RULES = SHIPPED_RULES();
const TESTS = join(RULES, 'tests');
/** Year-less stamps in the cases get the year that puts them before this time. */
const REF_MS = Date.parse('2026-12-07T00:00:00Z');

type Case = string | Case[];
interface RuleCases { rule: string; match?: Case[]; nomatch?: Case[]; file: string }

function loadCases(): RuleCases[] {
  const out: RuleCases[] = [];
  for (const f of readdirSync(TESTS).filter((n) => n.endsWith('.test.yml')).sort()) {
    const doc = parseYaml(readFileSync(join(TESTS, f), 'utf8')) as Omit<RuleCases, 'file'>[];
    for (const c of doc) out.push({ ...c, file: f });
  }
  return out;
}

const flat = (c: Case): string[] => (typeof c === 'string' ? [c] : c.flatMap(flat));

const engine = new HuntEngine();
const cases = loadCases();

/** Runs lines (one sequence) through a fresh engine with the shipped rules; returns all alerts, flush included. */
function runLines(lines: string[]): Alert[] {
  const eng = new HuntEngine({}, engine.files.map((f) => ({ path: f, text: readFileSync(f, 'utf8') })));
  const out: Alert[] = [];
  lines.forEach((text, i) => {
    const r = parseLine(text, { file: 'case', line: i + 1, refMs: REF_MS });
    assert.ok(r.event, `case line does not parse: ${r.error}\n  ${text}`);
    out.push(...eng.process(r.event, { file: 'case', line: i + 1 }));
  });
  out.push(...eng.flush());
  return out;
}

test('shipped rules: all load, at least 25 of our own with id, author, level and ATT&CK tags', () => {
  assert.deepEqual(engine.errors.map(formatProblem), []);
  assert.deepEqual(engine.warnings.map(formatProblem), []);
  const metas = [...engine.sigma.rules.map((r) => r.meta), ...engine.sigma.correlations.map((c) => c.state.corr)];
  const alerting = metas.filter((m) => m.level !== 'informational');
  assert.ok(alerting.length >= 25, `${alerting.length} alerting rules`);
  const ids = new Set<string>();
  for (const m of metas) {
    assert.match(m.id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `${m.title}: id is a UUIDv4`);
    assert.ok(!ids.has(m.id!), `${m.title}: duplicate id`);
    ids.add(m.id!);
    assert.match(m.name ?? '', /^tw_[a-z0-9_]+$/, `${m.title}: name`);
    assert.equal(m.author, 'Tidewatch', `${m.title}: author`);
    assert.ok(m.level, `${m.title}: level`);
    if (m.level !== 'informational') assert.ok(m.tags.some((t) => /^attack\.t\d{4}(\.\d{3})?$/.test(t)), `${m.title}: an attack.tXXXX tag`);
  }
  assert.equal(engine.sigma.unrouted.length, 0, 'every rule has a logsource our pipeline produces');
});

test('every alerting shipped rule has cases that must fire and near-misses that must not', () => {
  const byName = new Map(cases.map((c) => [c.rule, c]));
  const metas = [...engine.sigma.rules.map((r) => r.meta), ...engine.sigma.correlations.map((c) => c.state.corr)];
  for (const m of metas) {
    if (m.level === 'informational') continue;
    const c = byName.get(m.name!);
    assert.ok(c, `no test cases for ${m.name}`);
    assert.ok((c.match?.length ?? 0) >= 1 && (c.nomatch?.length ?? 0) >= 1, `${m.name}: needs match and nomatch cases`);
  }
  for (const c of cases) assert.ok(metas.some((m) => m.name === c.rule), `${c.file}: cases for unknown rule ${c.rule}`);
});

for (const c of cases) {
  test(`shipped rule ${c.rule}`, () => {
    const id = [...engine.sigma.rules.map((r) => r.meta), ...engine.sigma.correlations.map((x) => x.state.corr)].find((m) => m.name === c.rule)?.id;
    assert.ok(id, `rule ${c.rule} is loaded`);
    for (const m of c.match ?? []) {
      const lines = flat(m);
      const got: Alert[] = runLines(lines).filter((a) => a.rule.id === id);
      assert.ok(got.length >= 1, `${c.rule} must fire on:\n  ${lines.join('\n  ')}`);
      // the alert points at the line that produced (or completed) it
      assert.ok(got.every((a) => typeof a.source?.line === 'number' && a.source.line >= 1 && a.source.line <= lines.length));
    }
    for (const m of c.nomatch ?? []) {
      const lines = flat(m);
      const got: Alert[] = runLines(lines).filter((a) => a.rule.id === id);
      assert.equal(got.length, 0, `${c.rule} must not fire on:\n  ${lines.join('\n  ')}`);
    }
  });
}

test('correlation alerts name the group and the contributing lines', () => {
  const burst = cases.find((c) => c.rule === 'tw_failed_login_burst')!;
  const lines = flat(burst.match![0]);
  const a = runLines(lines).filter((x) => x.rule.kind === 'correlation');
  assert.equal(a.length, 1);
  assert.deepEqual(a[0].correlation?.group, { src_ip: '45.125.67.144' });
  assert.equal(a[0].source?.line, 10, 'completed by the tenth failure');
  assert.equal((a[0].correlation as { events: unknown[] } | undefined)?.events.length, 10);
});

test('shipped rules over the real device corpus: alerts per rule (noisy rules are a bug)', async () => {
  const dir = corpusPath('syslog');
  const files = readdirSync(dir).filter((f) => !f.endsWith('.tsv') && !f.endsWith('.md') && !f.endsWith('.json') && !f.endsWith('.yml')).map((f) => join(dir, f));
  const perRule = new Map<string, number>();
  const eng = new HuntEngine();
  let events = 0;
  for (const f of files) {
    const sum = await huntFiles([f], { engine: eng, onAlert: (a) => { perRule.set(a.rule.title, (perRule.get(a.rule.title) ?? 0) + 1); } });
    events += sum.events;
    if (Object.keys(sum.failed).length) console.log(sum.failed);
  }
  const rows = [...perRule.entries()].sort((a, b) => b[1] - a[1]);
  console.log(`shipped rules over ${files.length} corpus files (${events} events):`);
  for (const [t, n] of rows) console.log(`  ${String(n).padStart(4)}  ${t}`);
  assert.ok(events > 300, 'the corpus parsed');
  // the corpus is ordinary device logging from parser test suites: no rule may alert on more than 1% of it
  for (const [t, n] of rows) assert.ok(n <= Math.max(3, events / 100), `${t} raised ${n} alerts on ${events} ordinary events`);
});
