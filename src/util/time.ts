/**
 * Microsecond timestamps as plain numbers (safe: microseconds since 1970 stay below 2^53 until the year 2255).
 * STIX and TAXII timestamps may carry up to microsecond (or finer) precision, which Date.parse drops.
 */
export function isoToMicros(s: string): number {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return NaN;
  const frac = /\.(\d+)Z$/i.exec(s)?.[1] ?? '';
  const extra = frac.length > 3 ? Number(frac.slice(3, 6).padEnd(3, '0')) : 0;
  return ms * 1000 + extra;
}

/** ISO 8601 UTC with microseconds, e.g. `2026-11-23T04:05:06.123456Z`. */
export function microsToIso(us: number): string {
  const ms = Math.floor(us / 1000);
  const rest = us - ms * 1000;
  return new Date(ms).toISOString().replace(/Z$/, String(rest).padStart(3, '0') + 'Z');
}

/** Orders two RFC 3339 timestamps by time (sub-millisecond digits honoured). */
export function compareTimestamps(a: string, b: string): number {
  return isoToMicros(a) - isoToMicros(b);
}
