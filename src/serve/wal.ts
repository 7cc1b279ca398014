import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, ftruncateSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';

/** A position in the log: segment number and byte offset just after a block. */
export interface WalPosition {
  seg: number;
  off: number;
}

/** One block of records as written: everything one read from one peer delivered. */
export interface WalBlock {
  source: string;
  peer: string;
  receivedMs: number;
  /** Syslog lines, or base64 datagrams for binary sources (netflow). */
  records: string[];
  /** Position just after this block (what a checkpoint records once the block is stored). */
  end: WalPosition;
}

export interface WalOptions {
  /** Roll to a new segment file past this size (bytes). */
  segmentBytes?: number;
  /** `always`: fsync after every write; a number: fsync at most every N ms; `never` (default): rely on the OS. */
  fsync?: 'always' | 'never' | number;
}

const MARK = '\u001eB\t';
const SEG_RE = /^(\d{10})\.wal$/;

function segName(n: number): string {
  return String(n).padStart(10, '0') + '.wal';
}

/** Escapes a record that holds a line break (octet-counted syslog may) or starts with a backslash. */
function encodeRecord(r: string): string {
  if (r.indexOf('\n') < 0 && r.indexOf('\r') < 0 && r.charCodeAt(0) !== 92) return r;
  return '\\' + JSON.stringify(r);
}

function decodeRecord(r: string): string {
  return r.charCodeAt(0) === 92 ? (JSON.parse(r.slice(1)) as string) : r;
}

/**
 * The write-ahead log in DATA/wal/. Every record a listener receives is appended here (one write(2) per block,
 * synchronously, before the listener reads more from that socket) and only then counted as accepted and handed to
 * the pipeline. The pipeline stores events together with the position it reached (a checkpoint in the store, in the
 * same transaction), and at start the log replays every block after the last checkpoint. A write(2) that returned is
 * in the kernel's page cache, so `kill -9` of the service loses nothing it counted; `fsync` settings extend that to
 * power loss (docs/SERVE.md).
 *
 * Format: per block a header line `\x1eB<TAB>source<TAB>receivedMs<TAB>peer<TAB>count` and `count` record lines;
 * records holding a line break are written as `\` + JSON string.
 */
export class WriteAheadLog {
  private fd = -1;
  private seg = 0;
  private off = 0;
  private pending: string[] = [];
  private pendingBlocks: { source: string; peer: string; receivedMs: number; records: string[] }[] = [];
  private lastSync = 0;
  private readonly segmentBytes: number;
  private readonly fsyncMode: 'always' | 'never' | number;

  constructor(readonly dir: string, opts: WalOptions = {}) {
    this.segmentBytes = opts.segmentBytes ?? 64 * 1024 * 1024;
    this.fsyncMode = opts.fsync ?? 'never';
    mkdirSync(dir, { recursive: true });
  }

  private segments(): number[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).map((f) => SEG_RE.exec(f)).filter((m): m is RegExpExecArray => !!m).map((m) => Number(m[1])).sort((a, b) => a - b);
  }

  /**
   * Reads every complete block after `from` (the last checkpoint), truncating a torn tail, then opens a new segment
   * for writing. Returns the blocks in order.
   */
  recover(from: WalPosition | undefined): WalBlock[] {
    const out: WalBlock[] = [];
    const segs = this.segments();
    for (const n of segs) {
      if (from && n < from.seg) continue;
      const file = join(this.dir, segName(n));
      const buf = readFileSync(file);
      let pos = from && n === from.seg ? Math.min(from.off, buf.length) : 0;
      let goodEnd = pos;
      while (pos < buf.length) {
        const hdrEnd = buf.indexOf(10, pos);
        if (hdrEnd < 0) break;
        const hdr = buf.toString('utf8', pos, hdrEnd);
        if (!hdr.startsWith(MARK)) break; // not a block start: corrupt from here
        const [source, ms, peer, countText] = hdr.slice(MARK.length).split('\t');
        const count = Number(countText);
        if (!Number.isInteger(count) || count < 0) break;
        let p = hdrEnd + 1;
        const records: string[] = [];
        let complete = true;
        for (let i = 0; i < count; i++) {
          const nl = buf.indexOf(10, p);
          if (nl < 0) { complete = false; break; }
          records.push(decodeRecord(buf.toString('utf8', p, nl)));
          p = nl + 1;
        }
        if (!complete) break;
        pos = p;
        goodEnd = p;
        out.push({ source, peer, receivedMs: Number(ms), records, end: { seg: n, off: p } });
      }
      if (goodEnd < buf.length) {
        // a torn or corrupt tail (power loss mid-write): keep what is whole
        const fd = openSync(file, 'r+');
        ftruncateSync(fd, goodEnd);
        closeSync(fd);
      }
    }
    this.seg = (segs.length ? segs[segs.length - 1] : 0) + 1;
    this.openSegment();
    return out;
  }

  private openSegment(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = openSync(join(this.dir, segName(this.seg)), 'a');
    this.off = fstatSync(this.fd).size;
  }

  /** Queues a block; it is written by the next flush(). */
  append(source: string, peer: string, receivedMs: number, records: string[]): void {
    if (!records.length) return;
    let s = `${MARK}${source}\t${receivedMs}\t${peer}\t${records.length}\n`;
    for (const r of records) s += encodeRecord(r) + '\n';
    this.pending.push(s);
    this.pendingBlocks.push({ source, peer, receivedMs, records });
  }

  /** Writes every queued block (one write(2)) and returns them with their positions. */
  flush(): WalBlock[] {
    if (!this.pending.length) return [];
    if (this.fd < 0) throw new Error('write-ahead log is not open (call recover first)');
    if (this.off >= this.segmentBytes) {
      this.seg++;
      this.openSegment();
    }
    const blocks = this.pendingBlocks;
    const texts = this.pending;
    this.pending = [];
    this.pendingBlocks = [];
    const buf = Buffer.from(texts.join(''), 'utf8');
    let written = 0;
    while (written < buf.length) written += writeSync(this.fd, buf, written, buf.length - written);
    const now = Date.now();
    if (this.fsyncMode === 'always' || (typeof this.fsyncMode === 'number' && now - this.lastSync >= this.fsyncMode)) {
      fsyncSync(this.fd);
      this.lastSync = now;
    }
    const out: WalBlock[] = [];
    let off = this.off;
    for (let i = 0; i < blocks.length; i++) {
      off += Buffer.byteLength(texts[i], 'utf8');
      out.push({ ...blocks[i], end: { seg: this.seg, off } });
    }
    this.off = off;
    return out;
  }

  /** Bytes written to the current segment. */
  get position(): WalPosition {
    return { seg: this.seg, off: this.off };
  }

  /** Deletes segments wholly before the checkpoint. */
  truncateBefore(p: WalPosition): void {
    for (const n of this.segments()) if (n < p.seg) rmSync(join(this.dir, segName(n)), { force: true });
  }

  /** Bytes of segments at or after the checkpoint (not yet stored). */
  backlogBytes(p: WalPosition | undefined): number {
    let bytes = 0;
    for (const n of this.segments()) {
      if (p && n < p.seg) continue;
      const size = n === this.seg ? this.off : safeSize(join(this.dir, segName(n)));
      bytes += p && n === p.seg ? Math.max(0, size - p.off) : size;
    }
    return bytes;
  }

  close(): void {
    if (this.fd >= 0) {
      if (this.fsyncMode !== 'never') fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

function safeSize(f: string): number {
  try {
    const fd = openSync(f, 'r');
    const s = fstatSync(fd).size;
    closeSync(fd);
    return s;
  } catch {
    return 0;
  }
}
