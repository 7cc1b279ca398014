import { stringify } from 'yaml';
import { SigmaEngine, Pipeline, parseRuleFiles, formatProblem, type SigmaMatch } from '../../../src/detectors/sigma/index.js';
import type { Event } from '../../../src/model/event.js';

/** A pipeline with no mappings: events without routing fields reach every rule. */
export const BARE = new Pipeline({ name: 'test' });

export function engineOf(text: string | string[], opts: { placeholders?: Record<string, string[]>; pipeline?: Pipeline } = {}): SigmaEngine {
  const texts = Array.isArray(text) ? text : [text];
  return new SigmaEngine(parseRuleFiles(texts.map((t, i) => ({ path: `rule${i}.yml`, text: t }))), { pipeline: opts.pipeline ?? BARE, placeholders: opts.placeholders });
}

/** YAML of a detection rule around a detection map (plus extra top-level keys). */
export function ruleYaml(detection: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return stringify({ title: 'test rule', logsource: { product: 'test' }, detection, ...extra });
}

/** Compiles a detection (must load cleanly) and returns a matcher. */
export function matcher(detection: Record<string, unknown>, opts: { placeholders?: Record<string, string[]> } = {}): (ev: Event) => boolean {
  const eng = engineOf(ruleYaml(detection), opts);
  if (eng.errors.length) throw new Error(eng.errors.map(formatProblem).join('; '));
  return (ev) => eng.process(ev).length > 0;
}

/** Does one event match the detection? */
export function hit(detection: Record<string, unknown>, ev: Event, opts: { placeholders?: Record<string, string[]> } = {}): boolean {
  return matcher(detection, opts)(ev);
}

/** Load errors of rule texts, as formatted strings. */
export function errorsOf(text: string | string[], opts: { placeholders?: Record<string, string[]> } = {}): string[] {
  return engineOf(text, opts).errors.map(formatProblem);
}

export function warningsOf(text: string | string[]): string[] {
  return engineOf(text).warnings.map(formatProblem);
}

/** Runs events through an engine and returns all matches, including the final flush. */
export function run(eng: SigmaEngine, events: Event[]): SigmaMatch[] {
  const out: SigmaMatch[] = [];
  events.forEach((e, i) => out.push(...eng.process(e, { file: 'events', line: i + 1 })));
  out.push(...eng.flush());
  return out;
}
