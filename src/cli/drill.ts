import type { Command } from 'commander';
import { generateDataset } from '../drill/generate.js';
import { scoreDataset, type Scorecard } from '../drill/score.js';
import { EXIT_FOUND, EXIT_OK } from './exit.js';
import { parseFormat, renderTable, writeOut } from './output.js';
import { listScenarios, ScenarioError } from '../drill/scenario.js';
import { UsageError } from './exit.js';

function intOpt(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max} (got "${v}")`);
  return n;
}

export function register(program: Command): void {
  const drill = program.command('drill').description('synthetic carrier with an injected campaign and ground truth; scorecard of detection');

  drill
    .command('generate')
    .description('generate a synthetic carrier dataset (configs, syslog, TACACS+, flows, access audit) with a campaign played into it')
    .requiredOption('--out <dir>', 'output folder (created; an earlier drill dataset there is replaced)')
    .option('--seed <n>', 'seed: the same seed gives the same dataset', '1')
    .option('--scenario <name>', `campaign: a file in rules/drills by name, a path to a scenario file, or none`, 'loud')
    .option('--devices <n>', 'number of network devices', '24')
    .option('--days <n>', 'days of telemetry', '28')
    .addHelpText('after', `
Scenarios shipped: ${safeList()}

Examples:
  tidewatch drill generate --seed 7 --out /tmp/drill
  tidewatch drill generate --seed 7 --scenario quiet --devices 40 --days 42 --out /tmp/drill-quiet
  tidewatch drill generate --seed 7 --scenario none --out /tmp/drill-baseline   # no campaign
  tidewatch drill score /tmp/drill`)
    .action(async (o: { out: string; seed: string; scenario: string; devices: string; days: string }) => {
      const devices = intOpt('--devices', o.devices, 5, 120);
      const days = intOpt('--days', o.days, 2, 120);
      if (!/^[\w.-]{1,64}$/.test(o.seed)) throw new UsageError(`--seed must be a number or word (got "${o.seed}")`);
      try {
        const r = await generateDataset({ seed: o.seed, scenario: o.scenario, devices, days, out: o.out, log: (m) => process.stderr.write(`tidewatch: ${m}\n`) });
        const counts = Object.entries(r.lines).map(([k, v]) => `${k} ${v}`).join(', ');
        process.stderr.write(`tidewatch: wrote ${r.files} files to ${r.out} (${counts}); ${r.planted} planted actions in truth.jsonl\n`);
      } catch (e) {
        if (e instanceof ScenarioError) throw new UsageError(e.message);
        throw e;
      }
    });

  drill
    .command('score')
    .description('run the whole pipeline (audit, hunt, flows, intel, access, correlation) on a drill dataset and score it against its truth.jsonl')
    .argument('<dir>', 'a folder made by tidewatch drill generate')
    .option('--format <fmt>', 'table or json', 'table')
    .option('--data <dir>', 'data directory for the embedded store that receives alerts and incidents (default DIR/.tidewatch)')
    .addHelpText('after', `
Prints, per ATT&CK technique and per telemetry stream, what was planted, what was detected and how long it
took, the false alerts, precision and recall (docs/DRILL.md says how an alert is matched to a planted action).
--format json prints {"scenario","planted","detected","false_alerts","precision","recall","techniques":[...]}
followed by more detail (streams, incidents, misses, stages).

Exit status: 0 no alert raised, 1 alerts raised, 2 usage or input error.

Examples:
  tidewatch drill score /tmp/drill
  tidewatch drill score --format json /tmp/drill | jq '.techniques[] | select(.detected == 0)'
  tidewatch serve --site /tmp/drill/tidewatch.yml --data /tmp/drill/.tidewatch   # then open the console`)
    .action(async (dir: string, o: { format: string; data?: string }) => {
      const fmt = parseFormat(o.format, ['table', 'json'], 'table');
      let r;
      try {
        r = await scoreDataset(dir, { data: o.data, log: (m) => process.stderr.write(`tidewatch: ${m}\n`) });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      await writeOut(fmt === 'json' ? JSON.stringify(r.card, null, 2) + '\n' : renderScorecard(r.card));
      process.exitCode = r.card.alerts > 0 ? EXIT_FOUND : EXIT_OK;
    });
}

export function renderScorecard(card: Scorecard): string {
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  const dur = (s: number | null) => (s === null ? '-' : s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${(s / 3600).toFixed(1)}h`);
  const out: string[] = [];
  out.push(`scenario ${card.scenario}: ${card.detected}/${card.planted} planted actions detected (recall ${pct(card.recall)}), ${card.alerts} alerts, ${card.false_alerts} false (precision ${pct(card.precision)})`);
  out.push('');
  out.push(renderTable(card.techniques, [
    { header: 'technique', get: (r) => r.technique },
    { header: 'planted', get: (r) => r.planted },
    { header: 'detected', get: (r) => r.detected },
    { header: 'time to detect', get: (r) => dur(r.time_to_detect_s) },
  ]));
  out.push(renderTable(card.streams.filter((s) => s.planted || s.alerts), [
    { header: 'stream', get: (r) => r.stream },
    { header: 'planted', get: (r) => r.planted },
    { header: 'detected', get: (r) => r.detected },
    { header: 'time to detect', get: (r) => dur(r.time_to_detect_s) },
    { header: 'alerts', get: (r) => r.alerts },
    { header: 'false alerts', get: (r) => r.false_alerts },
  ]));
  const sev = card.incidents.by_severity;
  out.push(`incidents: ${card.incidents.total} (critical ${sev.critical}, high ${sev.high}, medium ${sev.medium}, low ${sev.low}, info ${sev.info})`);
  for (const s of card.stages) out.push(`  ${s.stage.padEnd(7)} ${s.status}${s.status === 'ran' ? `, ${s.alerts} alerts` : ''}${s.note ? ` (${s.note})` : ''}`);
  if (card.false_alert_rules.length) out.push(`false alerts by rule: ${card.false_alert_rules.slice(0, 8).map((r) => `${r.rule} ${r.count}`).join(', ')}`);
  return out.join('\n') + '\n';
}

function safeList(): string {
  try {
    return listScenarios().join(', ');
  } catch {
    return '(rules/drills not found)';
  }
}
