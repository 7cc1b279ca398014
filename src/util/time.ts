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

/**
 * Date.parse for the common UTC form `YYYY-MM-DDTHH:MM:SS[.fff]Z` (what our parsers emit), with the
 * `YYYY-MM-DDTHH:MM` part's value cached (64 minutes kept); any other form goes to Date.parse. Same result as
 * Date.parse for every input. For per-event hot paths, where Date.parse was the largest single cost.
 */
export function parseIsoMs(s: string): number {
  const n = s.length;
  // 2026-01-05T08:15:30Z (20) or with .f, .ff, .fff (22-24)
  if ((n !== 20 && (n < 22 || n > 24)) || s.charCodeAt(n - 1) !== 90 /* Z */ || s.charCodeAt(10) !== 84 /* T */ ||
    s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Date.parse(s);
  const s1 = s.charCodeAt(17) - 48, s2 = s.charCodeAt(18) - 48;
  if (s1 < 0 || s1 > 5 || s2 < 0 || s2 > 9) return Date.parse(s);
  let ms = 0;
  if (n > 20) {
    if (s.charCodeAt(19) !== 46 /* . */) return Date.parse(s);
    let scale = 100;
    for (let i = 20; i < n - 1; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return Date.parse(s);
      ms += d * scale;
      scale /= 10;
    }
  }
  const slot = (s.charCodeAt(14) - 48) * 10 + (s.charCodeAt(15) - 48);
  let base: number;
  // hot path: the cached minute is matched in place (startsWith), no prefix string is cut unless it misses
  const key = slot >= 0 && slot < 60 ? MINUTE_KEY[slot] : '';
  if (key.length === 16 && s.startsWith(key)) base = MINUTE_MS[slot];
  else {
    const prefix = s.slice(0, 16);
    base = Date.parse(`${prefix}:00Z`);
    if (!Number.isFinite(base)) return Date.parse(s);
    if (slot >= 0 && slot < 60) { MINUTE_KEY[slot] = prefix; MINUTE_MS[slot] = base; }
  }
  return base + (s1 * 10 + s2) * 1000 + ms;
}
const MINUTE_KEY: string[] = new Array<string>(60).fill('');
const MINUTE_MS = new Float64Array(60);
