/**
 * Collects what the generator writes: timestamped lines per output file (sorted by time at the end) and
 * the planted actions whose lines must be named in truth.jsonl. A planted action gets a tag; every line
 * written with that tag is listed, with its final 1-based line number, in the action's truth record.
 */

/** Streams of telemetry, as named in truth.jsonl and the scorecard. */
export const STREAMS = ['syslog', 'tacacs', 'config', 'flows', 'access', 'jumphost'] as const;
export type Stream = (typeof STREAMS)[number];

export interface TruthRecord {
  time: string;
  device: string;
  stream: Stream;
  technique: string;
  lines: { file: string; line: number }[];
  /** Extra keys (not in the interfaces.md contract, ignored by scripts that only read the contract). */
  action?: string;
  id?: string;
  step?: number;
}

export interface Planted {
  id: string;
  t: number;
  device: string;
  stream: Stream;
  technique: string;
  action: string;
  step: number;
  /** Lines named directly (config snapshots, pcap packets), in addition to tagged text lines. */
  extra: { file: string; line: number }[];
}

interface Rec {
  t: number;
  n: number;
  text: string;
  tag?: string;
}

export class Emitter {
  private files = new Map<string, Rec[]>();
  private counter = 0;
  readonly planted: Planted[] = [];

  /** Adds one line to a text file (path relative to the output folder). */
  line(file: string, t: number, text: string, tag?: string): void {
    let a = this.files.get(file);
    if (!a) {
      a = [];
      this.files.set(file, a);
    }
    a.push({ t, n: this.counter++, text, tag });
  }

  /** Registers a planted action in one stream and returns the tag its lines carry. */
  plant(p: Omit<Planted, 'id' | 'extra'>): Planted {
    const id = `p${this.planted.length + 1}`;
    const rec: Planted = { ...p, id, extra: [] };
    this.planted.push(rec);
    return rec;
  }

  fileNames(): string[] {
    return [...this.files.keys()].sort();
  }

  /** The sorted text of one file and, per tag, its line numbers. Consumes the file's records. */
  take(file: string): { text: string; tags: Map<string, number[]>; lines: number } {
    const recs = this.files.get(file) ?? [];
    this.files.delete(file);
    recs.sort((x, y) => x.t - y.t || x.n - y.n);
    const tags = new Map<string, number[]>();
    const parts: string[] = [];
    let seq = 1000 + (hashName(file) % 90000);
    recs.forEach((r, i) => {
      parts.push(r.text.includes(SEQ) ? r.text.replace(SEQ, String(seq++)) : r.text);
      if (r.tag) {
        const a = tags.get(r.tag) ?? [];
        a.push(i + 1);
        tags.set(r.tag, a);
      }
    });
    return { text: parts.length ? parts.join('\n') + '\n' : '', tags, lines: recs.length };
  }
}

/** Placeholder for a device's syslog sequence number, numbered in time order when the file is written. */
export const SEQ = '\u0000seq\u0000';

function hashName(s: string): number {
  let h = 17;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  return h;
}

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');
const p3 = (n: number) => String(n).padStart(3, '0');

export function iso(t: number): string {
  return new Date(t).toISOString();
}
/** `Nov 23 04:05:06` (RFC 3164, day space-padded). */
export function bsd(t: number): string {
  const d = new Date(t);
  return `${MON[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${hms(t)}`;
}
export function hms(t: number): string {
  const d = new Date(t);
  return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}
export function hmsms(t: number): string {
  return `${hms(t)}.${p3(new Date(t).getUTCMilliseconds())}`;
}
export function mon(t: number): string {
  return MON[new Date(t).getUTCMonth()];
}
export function dd(t: number): string {
  return p2(new Date(t).getUTCDate());
}
export function dow(t: number): string {
  return DOW[new Date(t).getUTCDay()];
}
export function year(t: number): number {
  return new Date(t).getUTCFullYear();
}
/** `20261123T0405Z`, for file names. */
export function stamp(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}Z`;
}
export function day(t: number): string {
  return iso(t).slice(0, 10);
}
