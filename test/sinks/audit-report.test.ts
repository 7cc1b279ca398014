import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { auditPaths, builtinChecks } from '../../src/pipeline/audit.js';
import { JsonReportWriter, JsonlReportWriter, SarifReportWriter, TableReportWriter, type ReportWriter } from '../../src/sinks/audit-report.js';
import type { AuditReport } from '../../src/model/config.js';
import { loadSite } from '../../src/site/load.js';
import { REPO_ROOT, corpusPath } from '../corpus.js';
import { containsToken, corpusSecrets, distinctive } from '../secrets.js';

const require = createRequire(import.meta.url);
// CommonJS default export seen from ESM: the class is on `.default`
const Ajv04 = AjvDraft04.default;
const EX = join(REPO_ROOT, 'examples');

function render(w: ReportWriter, r: AuditReport): string {
  return w.begin() + r.devices.map((d) => w.device(d)).join('') + w.end(r.errors, r.summary);
}

let corpusReport: AuditReport | undefined;
async function corpus(showSecrets = false): Promise<AuditReport> {
  if (!showSecrets && corpusReport) return corpusReport;
  const r = await auditPaths([corpusPath('configs')], { showSecrets });
  if (!showSecrets) corpusReport = r;
  return r;
}

test('--format json follows the documented contract', async () => {
  const r = await auditPaths([join(EX, 'configs')], { site: loadSite(join(EX, 'tidewatch.yml')) });
  const doc = JSON.parse(render(new JsonReportWriter(), r));
  assert.deepEqual(Object.keys(doc), ['devices', 'errors', 'summary']);
  for (const d of doc.devices) {
    assert.deepEqual(Object.keys(d), ['file', 'hostname', 'platform', 'findings']);
    for (const f of d.findings) {
      assert.deepEqual(Object.keys(f), ['check', 'title', 'kind', 'severity', 'line', 'evidence', 'attack', 'remediation']);
      assert.ok(Number.isInteger(f.line) && f.line >= 1);
      assert.ok(['hardening', 'compromise'].includes(f.kind));
      assert.ok(['info', 'low', 'medium', 'high', 'critical'].includes(f.severity));
    }
  }
  assert.equal(doc.summary.findings, r.summary.findings);
  const empty = JSON.parse(render(new JsonReportWriter(), { devices: [], errors: [{ file: 'x', message: 'empty file' }], summary: r.summary }));
  assert.deepEqual(empty.devices, []);
  assert.deepEqual(empty.errors, [{ file: 'x', message: 'empty file' }]);
});

test('--format jsonl prints one object per line: findings, errors, then the summary', async () => {
  const r = await corpus();
  const lines = render(new JsonlReportWriter(), r).trimEnd().split('\n').map((l) => JSON.parse(l));
  const findings = lines.filter((l) => l.type === 'finding');
  assert.equal(findings.length, r.summary.findings);
  assert.equal(lines.filter((l) => l.type === 'error').length, r.errors.length);
  assert.equal(lines.at(-1).type, 'summary');
  for (const f of findings.slice(0, 50)) for (const k of ['file', 'hostname', 'platform', 'check', 'line', 'evidence']) assert.ok(k in f, k);
});

test('--format sarif is valid SARIF 2.1.0 with one rule per check', async () => {
  const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  // the schema's language-tag pattern is not valid in unicode mode
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats.default(ajv);
  const validator = ajv.compile(schema);
  const validate = (x: unknown): boolean => validator(x) as boolean;
  const checks = builtinChecks();
  const r = await corpus();
  const doc = JSON.parse(render(new SarifReportWriter(checks, { base: corpusPath('configs'), baseline: false, version: '0.1.0' }), r));
  assert.ok(validate(doc), JSON.stringify(validator.errors?.slice(0, 5), null, 1));
  assert.equal(doc.version, '2.1.0');
  const run = doc.runs[0];
  assert.equal(run.tool.driver.rules.length, checks.length);
  assert.deepEqual(run.tool.driver.rules.map((x: { id: string }) => x.id), checks.map((c) => c.id));
  assert.equal(run.results.length, r.summary.findings);
  for (const res of run.results) {
    assert.equal(run.tool.driver.rules[res.ruleIndex].id, res.ruleId);
    const loc = res.locations[0].physicalLocation;
    assert.ok(!loc.artifactLocation.uri.startsWith('/'), 'uris are relative to the base');
    assert.ok(loc.region.startLine >= 1);
  }
  assert.equal(run.invocations[0].toolExecutionNotifications.length, r.errors.length);
  // with a baseline the drift rules are there too, and still valid
  const withDrift = JSON.parse(render(new SarifReportWriter(checks, { base: REPO_ROOT, baseline: true, version: '0.1.0' }), r));
  assert.ok(validate(withDrift));
  assert.equal(withDrift.runs[0].tool.driver.rules.length, checks.length + checks.filter((c) => c.spec.kind === 'compromise').length);
  // a negative control: the validator does reject a broken document
  assert.equal(validate({ ...doc, version: '2.0.0' }), false);
});

test('no known secret of the corpus appears in any output format; --show-secrets shows them', async () => {
  // words the rules themselves print (`no snmp-server community public`) are not leaks from the configs
  const ruleText = JSON.stringify(builtinChecks().map((c) => [c.spec.title, c.spec.description, c.remediation]));
  const tokens = distinctive(corpusSecrets()).filter((t) => !containsToken(ruleText.replace(/\\n/g, ' '), t));
  assert.ok(tokens.length >= 100, `only ${tokens.length} distinctive secrets`);
  const r = await corpus();
  const outputs = {
    json: render(new JsonReportWriter(), r),
    jsonl: render(new JsonlReportWriter(), r),
    sarif: render(new SarifReportWriter(builtinChecks(), { base: corpusPath('configs'), baseline: false, version: '0.1.0' }), r),
    table: render(new TableReportWriter(), r),
  };
  for (const [fmt, text] of Object.entries(outputs)) {
    const leaked = tokens.filter((t) => containsToken(text, t));
    assert.deepEqual(leaked, [], `${fmt} leaks secrets`);
    assert.ok(text.includes('<redacted>'), `${fmt} shows no redaction at all`);
  }
  // positive control: with --show-secrets, some of the same tokens are in the output
  const shown = render(new JsonReportWriter(), await corpus(true));
  assert.ok(tokens.filter((t) => containsToken(shown, t)).length >= 10, 'the leak test would not notice a leak');
});
