/**
 * Detector state as JSON, so a stateful detector's memory can be saved with a scale-out partition and restored in
 * another process (src/bus/partition-worker.ts). Maps and Sets are kept as such; objects of a class (e.g. a
 * Repeats inside a detector) are restored field by field into the live instance, so their methods stay.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function encode(v: unknown): Json {
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [encode(k), encode(x)]) };
  if (v instanceof Set) return { $set: [...v].map(encode) };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') {
    const o: { [k: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) if (typeof x !== 'function') o[k] = encode(x);
    return o;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
  return (v ?? null) as Json;
}

function decode(v: Json): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    if (Array.isArray(v.$map)) return new Map((v.$map as Json[][]).map(([k, x]) => [decode(k), decode(x)]));
    if (Array.isArray(v.$set)) return new Set((v.$set as Json[]).map(decode));
    if (typeof v.$num === 'string') return Number(v.$num);
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = decode(x);
    return o;
  }
  return v;
}

function isClassInstance(x: unknown): x is Record<string, unknown> {
  if (!x || typeof x !== 'object' || x instanceof Map || x instanceof Set || Array.isArray(x)) return false;
  const p = Object.getPrototypeOf(x) as object | null;
  return p !== null && p !== Object.prototype;
}

/** The named fields of `obj` as JSON-safe state. */
export function saveFields(obj: object, fields: readonly string[]): Json {
  const o: { [k: string]: Json } = {};
  for (const f of fields) o[f] = encode((obj as Record<string, unknown>)[f]);
  return o;
}

/** Puts state saved by saveFields back into `obj` (only the named fields; class instances are filled in place). */
export function loadFields(obj: object, fields: readonly string[], state: unknown): void {
  if (!state || typeof state !== 'object') return;
  const s = state as Record<string, Json>;
  const target = obj as Record<string, unknown>;
  for (const f of fields) {
    if (!(f in s)) continue;
    const v = decode(s[f]);
    const cur = target[f];
    if (isClassInstance(cur) && v && typeof v === 'object' && !(v instanceof Map) && !(v instanceof Set)) {
      loadFields(cur, Object.keys(v), s[f]);
    } else target[f] = v;
  }
}
