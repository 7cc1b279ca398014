import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SiteConfig } from '../../model/site.js';
import { FlowAnalytics, FlowDecoder } from '../../pipeline/flows.js';
import { HuntEngine, SHIPPED_RULES, findRuleFiles, type ReadRules } from '../../pipeline/hunt.js';
import type { IntelHolder } from '../intel.js';
import type { EventDetector, Stages } from '../pipeline.js';
import { parseLiveLine } from '../stored-events.js';

/** What a collector runs: the line parser and the NetFlow/IPFIX decoder (no detectors). */
export function collectorStages(): Stages {
  const decoder = new FlowDecoder();
  return {
    parseLine: parseLiveLine,
    eventDetectors: [],
    flowDecoder: { decode: (packet, exporter, receivedMs) => decoder.feed(packet, exporter, receivedMs), drops: () => decoder.dropDeltas() },
    flowDetectors: [],
  };
}

/**
 * The Sigma rule paths the service loads: the shipped rules (rules/sigma, when this build has any) plus the site
 * file's `hunt.rules` (files or folders, relative to the site file). A configured path that does not exist is an error.
 */
export function sigmaRulePaths(site: SiteConfig, shipped: string = SHIPPED_RULES()): string[] {
  const paths: string[] = [];
  if (existsSync(shipped)) paths.push(shipped);
  const base = site.path ? dirname(resolve(site.path)) : process.cwd();
  for (const p of site.hunt?.rules ?? []) {
    const full = resolve(base, p);
    if (!existsSync(full)) throw new Error(`hunt.rules: ${p} does not exist (resolved to ${full})`);
    paths.push(full);
  }
  return paths;
}

export interface SigmaStageInfo {
  files: number;
  rules: number;
  correlations: number;
  errors: number;
}

/**
 * The Sigma stage (HuntEngine over the shipped rules and `hunt.rules`), shared by the single process and the
 * scale-out detector. Without any rule it logs why and returns undefined, so the other detectors still run; rules
 * with errors are reported (file, line, reason) and left out, the valid ones load.
 */
/**
 * The rule files under `paths`, parsed once per process while they are unchanged (same files, sizes and
 * modification times): a scale-out detector builds the Sigma stage for each of its partitions, and each engine
 * compiles the shared parsed rules into its own evaluators and state.
 */
let lastRead: { key: string; read: ReadRules } | undefined;
function readRulesOnce(paths: string[]): ReadRules {
  const files = findRuleFiles(paths);
  const key = files.map((f) => { const st = statSync(f); return `${f}\u0000${st.size}\u0000${st.mtimeMs}`; }).join('\n');
  if (lastRead?.key !== key) lastRead = { key, read: HuntEngine.readRules(files) };
  return lastRead.read;
}

export function sigmaStage(site: SiteConfig, log: (l: string) => void, shipped?: string): { detector?: EventDetector; info?: SigmaStageInfo } {
  let paths: string[];
  try {
    paths = sigmaRulePaths(site, shipped);
  } catch (e) {
    log(`tidewatch: Sigma rules not loaded: ${(e as Error).message}`);
    return {};
  }
  if (!paths.length) {
    log(`tidewatch: warning: no Sigma rules (no ${shipped ?? SHIPPED_RULES()} and no hunt.rules in the site file): syslog events are stored but not hunted`);
    return {};
  }
  let hunt: HuntEngine;
  try {
    hunt = HuntEngine.fromRead(readRulesOnce(paths));
  } catch (e) {
    log(`tidewatch: Sigma rules not loaded: ${(e as Error).message}`);
    return {};
  }
  for (const p of hunt.errors.slice(0, 20)) log(`tidewatch: Sigma rule rejected: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.reason}`);
  if (hunt.errors.length > 20) log(`tidewatch: ... and ${hunt.errors.length - 20} more rejected Sigma rules`);
  const info: SigmaStageInfo = { files: hunt.files.length, rules: hunt.sigma.rules.length, correlations: hunt.sigma.correlations.length, errors: hunt.errors.length };
  if (!info.rules) {
    log(`tidewatch: warning: no usable Sigma rule in ${paths.join(', ')}: syslog events are stored but not hunted`);
    return { info };
  }
  return {
    info,
    detector: { name: 'sigma', process: (ev, src) => hunt.process(ev, src), flush: () => hunt.flush(), snapshot: () => hunt.snapshot(), restore: (s) => hunt.restore(s) },
  };
}

/**
 * What a detector runs per partition: the shipped Sigma rules (HuntEngine, with correlation state that moves with
 * the partition), indicator matching (when the detector was given the shared store to read indicators from) and
 * the flow analytics with the same indicator matcher plugged in. The same detectors as the single process.
 */
export function detectorStages(site: SiteConfig, intel?: IntelHolder): Stages {
  const analytics = new FlowAnalytics({ site, matchers: intel ? [intel.flowMatcher()] : [] });
  const sigma = sigmaStage(site, (l) => process.stderr.write(l.replace(/^tidewatch:/, 'tidewatch detector:') + '\n'));
  return {
    eventDetectors: [...(sigma.detector ? [sigma.detector] : []), ...(intel ? [intel.eventDetector()] : [])],
    flowDetectors: [{ name: 'flows', process: (flows) => analytics.process(flows), flush: () => analytics.flush(), snapshot: () => analytics.snapshot(), restore: (s) => analytics.restore(s) }],
  };
}
