import { appendFileSync } from 'node:fs';

/**
 * Timing trace for diagnosing `tidewatch serve` (docs/SERVE.md, "When an alert is delivered"): with TIDEWATCH_TRACE set to a
 * file path, each call appends one JSON line `{t, thread, ev, ...}` (t: wall clock in ms, so lines of the main thread,
 * the store thread and a bench in another process line up). Off (one check per call) when the variable is unset.
 */
const file = process.env.TIDEWATCH_TRACE || undefined;
export const tracing = file !== undefined;

export function trace(thread: string, ev: string, fields: Record<string, unknown> = {}): void {
  if (!file) return;
  try {
    appendFileSync(file, JSON.stringify({ t: Date.now(), thread, ev, ...fields }) + '\n');
  } catch {
    // a trace that cannot be written is not the service's problem
  }
}
