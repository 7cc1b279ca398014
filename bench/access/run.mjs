// bench/access: lawful-intercept / call-record access scoring on one core with 500 operators' models loaded.
// Issue 6 target: at least 200,000 events/s scored. Also the memory the learned models take.
//
// Data: the drill's access generator (src/drill/access-activity.ts) with 500 operators: a learning history and a
// checked period with planted abuse. Models are learned from the history (learnModels, as `tidewatch access learn`),
// then the checked period is scored by AccessMonitor with those models, the warrant register and the site facts
// loaded (as `tidewatch access check`). Reported:
//   - events/s scored (AccessMonitor.process on parsed events, then flush), median of --runs fresh monitors after
//     one unmeasured warm-up pass; by wall time and by CPU time of the process
//   - events/s parsed and scored from the JSON Lines text (AccessLineParser + monitor, the CLI's path minus file I/O)
//   - model memory (heap held by the model set after GC) and its JSON size as stored
//   - reference: JSON.parse alone over the same JSON Lines (what any reader of these logs pays per event)
//
// Usage: npm run bench -- access   (or: node --expose-gc bench/access/run.mjs [--operators 500] [--history-days 28] [--days 14] [--runs 5])
import { readFileSync } from 'node:fs';
import { generateAccessActivity, toJsonLines } from '../../dist/src/drill/access-activity.js';
import { AccessMonitor, learnModels } from '../../dist/src/pipeline/access.js';
import { AccessLineParser, defaultMappingFor } from '../../dist/src/parsers/access.js';

const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? Number(process.argv[i + 1]) : def; };
const OPERATORS = arg('operators', 500);
const HISTORY_DAYS = arg('history-days', 28);
const DAYS = arg('days', 14);
const RUNS = arg('runs', 5);
const TARGET = 200_000;

const gc = () => { if (globalThis.gc) { globalThis.gc(); globalThis.gc(); } };
const heap = () => process.memoryUsage().heapUsed;
const fmt = (n) => n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0);
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** CPU seconds of this process: on a shared machine a steadier measure of one core's work than wall time. */
const cpuS = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
if (!globalThis.gc) console.log('(run with --expose-gc for exact memory figures; npm run bench does)');

let t0 = performance.now();
const act = generateAccessActivity({ seed: 6, operators: OPERATORS, history_days: HISTORY_DAYS, days: DAYS });
const genS = (performance.now() - t0) / 1000;
const events = act.events;
console.log(`generated ${OPERATORS} operators: ${fmt(act.history.length)} history events, ${fmt(events.length)} checked events, ${act.truth.length} planted abuses, ${act.warrants.length} warrants (${genS.toFixed(1)} s)`);

// ---- models: learn, then measure what they hold once the history is gone
gc();
const before = heap();
t0 = performance.now();
let models = learnModels(act.history);
const learnS = (performance.now() - t0) / 1000;
const historyCount = act.history.length;
act.history = [];
gc();
const modelBytes = heap() - before;
const jsonBytes = Buffer.byteLength(JSON.stringify(models));
const nModels = Object.keys(models.operators).length;
// the models as the check path gets them: loaded back from their stored JSON form (what loadModels returns)
models = JSON.parse(JSON.stringify(models));

const site = act.site.access;
const sources = events.map((_, i) => ({ file: 'activity.jsonl', line: i + 1 }));

// ---- scoring parsed events
const rates = [], cpuRates = [];
let alerts = 0;
// one unmeasured pass first (JIT, the target normalization memo), as a service that has been running is warm
for (let r = -1; r < RUNS; r++) {
  const mon = new AccessMonitor({ models, warrants: act.warrants, site });
  const c0 = cpuS();
  t0 = performance.now();
  let n = 0;
  for (let i = 0; i < events.length; i++) n += mon.process(events[i], sources[i]).length;
  n += mon.flush().length;
  if (r < 0) continue;
  rates.push(events.length / ((performance.now() - t0) / 1000));
  cpuRates.push(events.length / (cpuS() - c0));
  alerts = n;
}
const scoreRate = median(rates);
const scoreCpuRate = median(cpuRates);

// ---- parse + score from JSON Lines text (the CLI's path without the file reads)
const lines = toJsonLines(events).split('\n').filter(Boolean);
const mapping = defaultMappingFor('activity.jsonl');
const parseRates = [];
for (let r = 0; r < RUNS; r++) {
  const parser = new AccessLineParser(mapping);
  const mon = new AccessMonitor({ models, warrants: act.warrants, site });
  t0 = performance.now();
  let bad = 0;
  for (let i = 0; i < lines.length; i++) {
    const res = parser.line(lines[i], i + 1);
    if (!res) continue;
    if ('event' in res) mon.process(res.event, { file: 'activity.jsonl', line: res.line });
    else bad++;
  }
  mon.flush();
  if (bad) console.log(`  ${bad} lines did not map`);
  parseRates.push(lines.length / ((performance.now() - t0) / 1000));
}
const parseRate = median(parseRates);

// ---- reference: JSON.parse alone over the same lines
const refRates = [];
for (let r = 0; r < RUNS; r++) {
  t0 = performance.now();
  let k = 0;
  for (let i = 0; i < lines.length; i++) k += JSON.parse(lines[i]).targets.length;
  refRates.push(lines.length / ((performance.now() - t0) / 1000));
  if (k < 0) console.log(k);
}
const refRate = median(refRates);
const rss = process.resourceUsage().maxRSS * 1024;

console.log(`access scoring, ${nModels} operator models loaded, ${fmt(events.length)} events, Node ${process.version}, one core; load average ${loadavg()}`);
console.log(`  learn models                ${learnS.toFixed(2)} s from ${fmt(historyCount)} history events`);
console.log(`  model memory                ${mib(modelBytes)} heap (${fmt(modelBytes / Math.max(1, nModels))}B per operator); ${mib(jsonBytes)} as stored JSON`);
console.log(`  scored events/s             ${fmt(scoreRate)}/s   target >= ${fmt(TARGET)}/s: ${scoreRate >= TARGET ? 'met' : 'NOT met'}   (runs ${rates.map(fmt).join(', ')}; ${alerts} alerts)`);
console.log(`  scored events per CPU-second ${fmt(scoreCpuRate)}   (runs ${cpuRates.map(fmt).join(', ')}; CPU time of this process, steadier than wall time on a shared machine)`);
console.log(`  parsed + scored events/s    ${fmt(parseRate)}/s   (JSON Lines text through AccessLineParser and the monitor)`);
console.log(`  reference: JSON.parse only  ${fmt(refRate)}/s   (same lines, no mapping, no scoring)`);
console.log(`  peak RSS                    ${mib(rss)} (whole process, generator included)`);
