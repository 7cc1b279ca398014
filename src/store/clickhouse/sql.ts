/** Literal quoting for ClickHouse SQL (the 18.x servers we support have no query parameters). */
export function str(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
  return String(Math.trunc(v));
}

export function strList(vs: readonly string[]): string {
  return `[${vs.map(str).join(',')}]`;
}

/** ISO 8601 to epoch milliseconds; throws with the value on garbage. */
export function ms(iso: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`not an ISO 8601 time: ${iso}`);
  return t;
}

export function day(msValue: number): string {
  return new Date(msValue).toISOString().slice(0, 10);
}

export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
