import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../corpus.js';

const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const tw = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, timeout: 300_000, maxBuffer: 64 << 20 });

test('tidewatch demo: generates a carrier under the loud campaign, prints incidents and scorecard, writes the worst incident report, says how to open the console', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-demo-'));
  const out = join(dir, 'demo');
  const r = tw(['demo', '--out', out, '--devices', '6', '--days', '5', '--seed', '11'], dir);
  assert.equal(r.status, 0, r.stderr);
  const o = r.stdout;
  assert.match(o, /a synthetic carrier of 6 devices over 5 days \(seed 11\) with the "loud" campaign/);
  // the incidents table: a critical incident with its id
  const incTable = o.slice(o.indexOf('INCIDENTS'), o.indexOf('SCORECARD'));
  const ids = [...incTable.matchAll(/^(INC-[0-9a-f]+)\s+(\w+)/gm)].map((m) => ({ id: m[1], severity: m[2] }));
  assert.ok(ids.length >= 1, incTable);
  assert.equal(ids[0].severity, 'critical');
  // the scorecard, with figures that add up
  const head = /scenario loud: (\d+)\/(\d+) planted actions detected \(recall ([\d.]+)%\), (\d+) alerts, (\d+) false/.exec(o);
  assert.ok(head, o);
  const [det, planted] = [Number(head[1]), Number(head[2])];
  assert.ok(planted > 20 && det > 0 && det <= planted);
  assert.equal(Number(head[3]), Math.round((det / planted) * 1000) / 10);
  assert.match(o, /TECHNIQUE\s+PLANTED\s+DETECTED\s+TIME TO DETECT/);
  assert.match(o, /access\s+ran, \d+ alerts/);
  // the report of the worst incident
  const rep = /Incident report of (INC-[0-9a-f]+) \(the worst incident\): (\S+)/.exec(o);
  assert.ok(rep, o);
  assert.equal(rep[1], ids[0].id);
  const file = rep[2].startsWith('/') ? rep[2] : join(dir, rep[2]);
  assert.ok(existsSync(file), file);
  const html = readFileSync(file, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(html.includes(rep[1]));
  assert.match(html, /<section id="timeline">/);
  // how to open the console on the result, naming this dataset
  assert.match(o, /tidewatch token create --data \S*demo\/\.tidewatch --role analyst/);
  assert.match(o, /tidewatch serve --site \S*demo\/tidewatch\.yml --data \S*demo\/\.tidewatch/);
  assert.ok(existsSync(join(out, '.tidewatch', 'tidewatch.duckdb')));

  // --format json carries the same, and a folder that is not a demo is refused (exit 2)
  const j = tw(['demo', '--out', out, '--devices', '6', '--days', '5', '--seed', '11', '--format', 'json'], dir);
  assert.equal(j.status, 0, j.stderr);
  const doc = JSON.parse(j.stdout);
  assert.equal(doc.scorecard.planted, planted);
  assert.equal(doc.scorecard.detected, det);
  assert.equal(doc.report.incident, rep[1]);
  assert.deepEqual(doc.incidents.map((i: { id: string }) => i.id).sort(), ids.map((i) => i.id).sort());
  writeFileSync(join(dir, 'keep.txt'), 'x');
  const bad = tw(['demo', '--out', dir], dir);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /not a drill dataset/);
});
