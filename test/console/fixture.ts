// The dataset the console's end-to-end tests run on: a drill dataset (src/drill, docs/DRILL.md).
//
// `tidewatch drill generate` writes a small synthetic carrier with a planted campaign and its truth.jsonl;
// the pipeline `tidewatch drill score` runs (audit drift, Sigma hunt, flows, intel, access, correlation) puts the
// alerts, incidents, flows, indicators and access models into the store the service then serves, exactly as
// `tidewatch demo` does (src/cli/demo.ts). The config snapshots the drill wrote are also handed to the service's
// watched config folder (`serve.configs`), so the Devices page has an inventory and a diff history.
import { appendFileSync, readFileSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { generateDataset } from '../../src/drill/generate.js';
import { scoreDataset, type Scorecard } from '../../src/drill/score.js';
import type { TruthRecord } from '../../src/drill/emit.js';

/** A small carrier under the loud campaign: the seed fixes every planted action, so the test is repeatable. */
export const DRILL = { seed: '7', scenario: 'loud', devices: 8, days: 3 } as const;

export interface DrillFixture {
  /** The dataset folder (site file `tidewatch.yml`, truth.jsonl, configs/, ...). */
  dir: string;
  /** The service's data directory (the store the pipeline filled). */
  data: string;
  site: string;
  truth: TruthRecord[];
  card: Scorecard;
  /** Devices with a config in the dataset (what the Devices page should list once the service audited them). */
  configDevices: string[];
}

/** Snapshot file names are the snapshot time, e.g. 20261020T0307Z.cfg. */
function snapshotTime(name: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z\.cfg$/.exec(name);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5])) : undefined;
}

/** Generates the drill dataset under `dir`, runs the pipeline into `dir/.tidewatch`, and points `serve.configs` at the config history. */
export async function seedDrill(dir: string): Promise<DrillFixture> {
  await generateDataset({ ...DRILL, out: dir });
  const data = join(dir, '.tidewatch');
  const { card } = await scoreDataset(dir, { data });
  // Each snapshot's modification time is its snapshot time: the service dates the audit and the diff by it.
  const history = join(dir, 'configs', 'history');
  const configDevices = readdirSync(history).filter((d) => statSync(join(history, d)).isDirectory()).sort();
  for (const d of configDevices) {
    for (const f of readdirSync(join(history, d))) {
      const t = snapshotTime(f);
      if (t) utimesSync(join(history, d, f), t, t);
    }
  }
  const site = join(dir, 'tidewatch.yml');
  appendFileSync(site, '\n# added by test/console/fixture.ts: the service audits the drill\'s config history\nserve:\n  configs: configs/history\n  configs_poll: 1s\n');
  const truth = readFileSync(join(dir, 'truth.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TruthRecord);
  return { dir, data, site, truth, card, configDevices };
}

/**
 * The techniques planted on the given devices, with the scorecard's verdict. A planted technique counts as shown
 * by an incident when the incident carries it or one of its sub-techniques (planted T1048, detected T1048.003).
 */
export function plantedOn(truth: readonly TruthRecord[], devices: readonly string[]): string[] {
  const set = new Set(devices);
  return [...new Set(truth.filter((t) => set.has(t.device)).map((t) => t.technique))].sort();
}

export function shows(techniques: readonly string[], planted: string): boolean {
  return techniques.some((t) => t === planted || t.startsWith(`${planted}.`));
}
