/**
 * JSON Lines: each line is already an event. Field names are kept as they are (nested objects stay nested and
 * are reachable by dotted names in rules). The event time is read from `--time-field`, else `@timestamp`,
 * `timestamp` or `time` (ISO 8601, or epoch seconds or milliseconds); when the event has no `time` field, the
 * normalized ISO time is added as `time`. Lines written by `tidewatch parse` (`{"source":..,"event":..}`) are
 * unwrapped to their event.
 */
import type { Event } from '../model/event.js';
import { isoFromMs, parseTimeValue } from './syslog/time.js';

export const JSON_TIME_FIELDS = ['@timestamp', 'timestamp', 'time'] as const;

/** Reads a possibly dotted field (`a.b`): the literal key first, then nested objects. */
export function getPath(obj: Record<string, unknown>, path: string): unknown {
  if (path in obj) return obj[path];
  if (!path.includes('.')) return undefined;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Epoch ms of a JSON event's time, from `timeField` or the usual fields; undefined when absent or unreadable. */
export function jsonEventTime(ev: Record<string, unknown>, timeField?: string, refMs?: number): number | undefined {
  if (timeField) return parseTimeValue(getPath(ev, timeField), refMs);
  for (const f of JSON_TIME_FIELDS) {
    const v = ev[f];
    if (v !== undefined && v !== null) {
      const t = parseTimeValue(v, refMs);
      if (t !== undefined) return t;
    }
  }
  return undefined;
}

export function parseJsonLine(line: string, timeField?: string, refMs?: number): Event | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return `invalid JSON: ${(e as Error).message}`;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'JSON line is not an object';
  let ev = v as Record<string, unknown>;
  if (ev.event && typeof ev.event === 'object' && !Array.isArray(ev.event) && ev.source && typeof ev.source === 'object' && Object.keys(ev).length === 2) {
    ev = ev.event as Record<string, unknown>;
  }
  const t = jsonEventTime(ev, timeField, refMs);
  if (t !== undefined && ev.time === undefined) ev.time = isoFromMs(t);
  return ev as Event;
}
