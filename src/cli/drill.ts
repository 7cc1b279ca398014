import type { Command } from 'commander';
import { generateDataset } from '../drill/generate.js';
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
}

function safeList(): string {
  try {
    return listScenarios().join(', ');
  } catch {
    return '(rules/drills not found)';
  }
}
