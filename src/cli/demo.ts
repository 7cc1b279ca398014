import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSite } from '../site/load.js';
import { generateDataset } from '../drill/generate.js';
import { scoreDataset, type Scorecard } from '../drill/score.js';
import { ScenarioError } from '../drill/scenario.js';
import type { Incident } from '../model/incident.js';
import { severityRank } from '../model/severity.js';
import { parseFormat, renderTable, writeOut } from './output.js';
import { runAudit } from './audit.js';
import { renderScorecard } from './drill.js';
import { incidentReport } from './report.js';
import { UsageError } from './exit.js';

/** The repository's examples/ folder (beside dist/ or src/). */
export function examplesDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(d, 'examples', 'tidewatch.yml'))) return join(d, 'examples');
    d = dirname(d);
  }
  throw new Error('examples/ not found beside the installation');
}

export const DEMO_DEFAULTS = { seed: '7', scenario: 'loud', devices: 12, days: 14 } as const;

export interface DemoOptions {
  out: string;
  seed?: string;
  scenario?: string;
  devices?: number;
  days?: number;
  /** Data directory for the embedded store (default OUT/.tidewatch). */
  data?: string;
  log?: (m: string) => void;
}

export interface DemoResult {
  out: string;
  data: string;
  seed: string;
  scenario: string;
  devices: number;
  days: number;
  seconds: { generate: number; pipeline: number; report: number };
  incidents: Incident[];
  card: Scorecard;
  /** The HTML report of the worst incident, when there is one. */
  report?: { incident: string; file: string };
}

/** The incident to report on: highest severity, then most alerts, then earliest. */
export function worstIncident(incidents: readonly Incident[]): Incident | undefined {
  return [...incidents].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.alert_ids.length - a.alert_ids.length || a.first_seen.localeCompare(b.first_seen))[0];
}

/** Generates a small carrier with a campaign, runs the pipeline into the embedded store, reports the worst incident. */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const log = o.log ?? (() => undefined);
  const seed = o.seed ?? DEMO_DEFAULTS.seed;
  const scenario = o.scenario ?? DEMO_DEFAULTS.scenario;
  const devices = o.devices ?? DEMO_DEFAULTS.devices;
  const days = o.days ?? DEMO_DEFAULTS.days;
  const out = resolve(o.out);
  if (o.data && existsSync(join(o.data, 'tidewatch.duckdb'))) log(`${o.data} already holds a store: its earlier alerts and incidents stay and are listed with this run's`);
  let t = performance.now();
  const gen = await generateDataset({ seed, scenario, devices, days, out, log });
  const tGen = (performance.now() - t) / 1000;
  log(`generated ${gen.files} files in ${tGen.toFixed(1)} s (${gen.planted} planted actions)`);
  t = performance.now();
  const data = o.data ? resolve(o.data) : join(out, '.tidewatch');
  const { card, incidents } = await scoreDataset(out, { data, log });
  const tPipe = (performance.now() - t) / 1000;
  log(`pipeline ran in ${tPipe.toFixed(1)} s`);
  t = performance.now();
  const worst = worstIncident(incidents);
  let report: DemoResult['report'];
  if (worst) {
    const file = join(out, `incident-${worst.id}.html`);
    writeFileSync(file, await incidentReport({ incident: worst.id, data, format: 'html', site: loadSite(join(out, 'tidewatch.yml')) }));
    report = { incident: worst.id, file };
  }
  const tRep = (performance.now() - t) / 1000;
  return { out, data, seed, scenario, devices, days, seconds: { generate: round1(tGen), pipeline: round1(tPipe), report: round1(tRep) }, incidents, card, report };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && rel.length < p.length ? rel : p;
}

/** The demo's table output: incidents, scorecard, report and how to open the console. */
export function renderDemo(r: DemoResult): string {
  const out: string[] = [];
  out.push(`Tidewatch demo: a synthetic carrier of ${r.devices} devices over ${r.days} days (seed ${r.seed}) with the "${r.scenario}" campaign, in ${shown(r.out)}`);
  out.push(`generated in ${r.seconds.generate} s; audit, hunt, flows, intel, access and correlation ran in ${r.seconds.pipeline} s`);
  out.push('');
  out.push(`INCIDENTS (${r.incidents.length})`);
  out.push(r.incidents.length ? renderTable([...r.incidents].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.first_seen.localeCompare(b.first_seen)), [
    { header: 'id', get: (i) => i.id },
    { header: 'severity', get: (i) => i.severity },
    { header: 'first seen', get: (i) => i.first_seen.replace(/\.\d+Z$/, 'Z') },
    { header: 'alerts', get: (i) => i.alert_ids.length },
    { header: 'devices', get: (i) => i.devices.length },
    { header: 'tactics', get: (i) => [...new Set(i.techniques.map((x) => x.tactic))].length },
    { header: 'title', get: (i) => i.title, max: 90 },
  ]) : '(none)\n');
  out.push('SCORECARD');
  out.push(renderScorecard(r.card));
  if (r.report) out.push(`Incident report of ${r.report.incident} (the worst incident): ${shown(r.report.file)}`);
  const site = shown(join(r.out, 'tidewatch.yml'));
  const data = shown(r.data);
  out.push('');
  out.push('Open the console on the result:');
  out.push(`  tidewatch token create --data ${data} --role analyst --name demo     # prints a token`);
  out.push(`  tidewatch serve --site ${site} --data ${data}`);
  out.push('  then browse to http://127.0.0.1:8470/ and paste the token');
  out.push(`Reports of other incidents: tidewatch report --data ${data} --incident ID --out report.html`);
  return out.join('\n') + '\n';
}

function intOpt(name: string, v: string | undefined, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max} (got "${v}")`);
  return n;
}

interface Opts { format?: string; audit?: boolean; out?: string; data?: string; seed?: string; scenario?: string; devices?: string; days?: string }

export function register(program: Command): void {
  program
    .command('demo')
    .description('Generate a small synthetic carrier under attack, run the whole pipeline on it, print the incidents and the detection scorecard, and write an HTML incident report')
    .option('--out <dir>', 'folder for the dataset, its store and the report (an earlier demo there is replaced)', join(tmpdir(), 'tidewatch-demo'))
    .option('--data <dir>', 'data directory for the embedded store that receives alerts and incidents (default OUT/.tidewatch)')
    .option('--seed <n>', 'seed of the carrier and the campaign', DEMO_DEFAULTS.seed)
    .option('--scenario <name>', 'campaign from rules/drills (loud, moderate, quiet) or a scenario file', DEMO_DEFAULTS.scenario)
    .option('--devices <n>', 'network devices', String(DEMO_DEFAULTS.devices))
    .option('--days <n>', 'days of telemetry', String(DEMO_DEFAULTS.days))
    .option('--format <format>', 'table or json (with --audit: table, json, jsonl or sarif)')
    .option('--audit', 'instead: audit the sample fleet under examples/ (configs with planted problems) and print the audit report')
    .addHelpText('after', `
The demo is \`tidewatch drill generate\` + \`tidewatch drill score\` + \`tidewatch report\` on a small carrier
(${DEMO_DEFAULTS.devices} devices, ${DEMO_DEFAULTS.days} days, seed ${DEMO_DEFAULTS.seed}, the loud campaign): see docs/DRILL.md.

Examples:
  npm run demo
  tidewatch demo --out /tmp/demo --scenario quiet
  tidewatch demo --format json | jq '.scorecard.recall'
  tidewatch demo --audit                # the config audit of examples/configs (same as tidewatch audit --site examples/tidewatch.yml examples/configs)

Always exits 0 when the demo ran (findings are the point of the demo); 2 on error.`)
    .action(async (opts: Opts) => {
      if (opts.audit) {
        const ex = examplesDir();
        const site = loadSite(join(ex, 'tidewatch.yml'));
        const configs = join(ex, 'configs');
        process.stderr.write(`tidewatch demo: auditing the sample fleet in ${shown(configs)} with the site file ${shown(site.path ?? '')}\n`);
        const code = await runAudit({
          paths: [shown(configs)],
          site,
          format: parseFormat(opts.format, ['table', 'json', 'jsonl', 'sarif']),
          failOn: 'none',
          showSecrets: false,
        });
        process.exitCode = code === 2 ? 2 : 0;
        return;
      }
      const format = parseFormat(opts.format, ['table', 'json']);
      const devices = intOpt('--devices', opts.devices, DEMO_DEFAULTS.devices, 5, 120);
      const days = intOpt('--days', opts.days, DEMO_DEFAULTS.days, 2, 120);
      if (!/^[\w.-]{1,64}$/.test(opts.seed ?? '')) throw new UsageError(`--seed must be a number or word (got "${opts.seed}")`);
      let r: DemoResult;
      try {
        r = await runDemo({ out: opts.out!, data: opts.data, seed: opts.seed, scenario: opts.scenario, devices, days, log: (m) => process.stderr.write(`tidewatch: ${m}\n`) });
      } catch (e) {
        if (e instanceof ScenarioError || /not empty and is not a drill dataset/.test((e as Error).message)) throw new UsageError((e as Error).message);
        throw e;
      }
      if (format === 'json') {
        await writeOut(JSON.stringify({
          out: r.out, data: r.data, seed: r.seed, scenario: r.scenario, devices: r.devices, days: r.days, seconds: r.seconds,
          incidents: r.incidents.map((i) => ({ id: i.id, severity: i.severity, title: i.title, first_seen: i.first_seen, last_seen: i.last_seen, alerts: i.alert_ids.length, devices: i.devices, techniques: i.techniques.map((x) => x.technique) })),
          scorecard: r.card,
          report: r.report ?? null,
          console: { token: `tidewatch token create --data ${r.data} --role analyst --name demo`, serve: `tidewatch serve --site ${join(r.out, 'tidewatch.yml')} --data ${r.data}`, url: 'http://127.0.0.1:8470/' },
        }, null, 2) + '\n');
      } else await writeOut(renderDemo(r));
      process.exitCode = 0;
    });
}
