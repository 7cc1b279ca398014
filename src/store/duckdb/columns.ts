import type { StoredEvent } from '../store.js';

/**
 * A batch of events column by column, as plain strings and numbers: the form in which the live service hands events
 * to the store thread (src/store/duckdb/worker-store.ts). A hot path: arrays of strings cross a thread boundary much
 * more cheaply than nested event objects, and the event is serialized once, here, with JSON.stringify.
 */
export interface EventColumns {
  n: number;
  /** ISO 8601 times as the events carry them (parsed in the store thread). */
  time: string[];
  host: (string | null)[];
  file: string[];
  line: (number | null)[];
  listener: (string | null)[];
  event: (string | null)[];
  raw: (string | null)[];
  error: (string | null)[];
}

export function eventColumnsOf(rows: readonly StoredEvent[]): EventColumns {
  const n = rows.length;
  const c: EventColumns = {
    n, time: new Array<string>(n), host: new Array<string | null>(n), file: new Array<string>(n), line: new Array<number | null>(n),
    listener: new Array<string | null>(n), event: new Array<string | null>(n), raw: new Array<string | null>(n), error: new Array<string | null>(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    c.time[i] = r.time;
    c.host[i] = r.host ?? null;
    c.file[i] = r.source.file;
    c.line[i] = r.source.line ?? null;
    c.listener[i] = r.source.listener ?? null;
    c.event[i] = r.event === undefined ? null : JSON.stringify(r.event);
    c.raw[i] = r.raw ?? null;
    c.error[i] = r.error ?? null;
  }
  return c;
}
