/**
 * Config history per device: edits with their times, applied in order, and a snapshot taken by the
 * config-backup system at its next poll after each change (as Oxidized/RANCID do), written as
 * `configs/history/<host>/<stamp>.cfg`, plus the final state in `configs/current/<host>.cfg`.
 */
import type { Device } from './carrier.js';
import type { ConfigDoc } from './configs.js';
import { stamp } from './emit.js';

export const POLL_MS = 3600_000;
/** Minutes past the hour at which the backup system polls. */
export const POLL_OFFSET_MS = 7 * 60_000;

interface Change {
  t: number;
  n: number;
  apply: (doc: ConfigDoc) => void;
}

export interface Snapshot {
  t: number;
  file: string;
  text: string;
  tags: Map<string, number[]>;
}

export class ConfigTimeline {
  private changes: Change[] = [];
  private n = 0;
  constructor(readonly device: Device, private readonly initial: ConfigDoc, readonly start: number) {}

  change(t: number, apply: (doc: ConfigDoc) => void): void {
    this.changes.push({ t, n: this.n++, apply });
  }

  /** The poll that first sees a change made at `t`. */
  static pollAfter(t: number): number {
    const base = Math.floor((t - POLL_OFFSET_MS) / POLL_MS) * POLL_MS + POLL_OFFSET_MS;
    return base + POLL_MS;
  }

  /** Applies the changes (those before `end`) and returns every snapshot, the first being the initial config. */
  snapshots(end: number): Snapshot[] {
    const doc = this.initial.clone();
    const out: Snapshot[] = [];
    const snap = (t: number) => {
      const r = doc.render();
      out.push({ t, file: `configs/history/${this.device.name}/${stamp(t)}.cfg`, text: r.text, tags: r.tags });
    };
    snap(this.start);
    const changes = this.changes.filter((c) => c.t < end).sort((a, b) => a.t - b.t || a.n - b.n);
    let i = 0;
    while (i < changes.length) {
      const poll = ConfigTimeline.pollAfter(changes[i].t);
      while (i < changes.length && changes[i].t < poll) changes[i++].apply(doc);
      if (poll < end) snap(poll);
      else snap(end - 60_000);
    }
    return out;
  }
}
