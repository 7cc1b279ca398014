import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { latin1 } from '../util/latin1.js';
import { endsOnCharBoundary } from '../util/utf8-boundary.js';

/** Longest syslog message kept (RFC 5425 asks receivers to take at least 2048 octets; we take 64 KiB). */
export const MAX_FRAME_BYTES = 64 * 1024;

export interface FrameResult {
  lines: string[];
  /** Frames longer than MAX_FRAME_BYTES (dropped, counted with reason `oversized`). */
  oversized: number;
  /** Octet-counted frames whose length field was not a number (the rest of the line is taken as one message). */
  badCount: number;
}

const isDigit = (b: number) => b >= 48 && b <= 57;

/**
 * Splits a syslog TCP/TLS byte stream into messages per RFC 6587: octet counting (`LEN SP MSG`) or newline
 * (non-transparent) framing with LF (CR LF and a trailing NUL are tolerated). The mode is chosen per frame from its
 * first byte: a digit means octet counting; `<` (a PRI) or anything else means a line. A hot path: a
 * newline-framed connection is decoded once per chunk and split on LF, not byte by byte.
 */
export class SyslogFramer {
  private rest: Buffer | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private textRest = '';
  /** Decided by the first frame: 'line' uses the string fast path until a frame starts with a digit. */
  private mode: 'unknown' | 'line' | 'octet' = 'unknown';
  private skip = 0;
  private skippingLine = false;

  push(chunk: Buffer): FrameResult {
    const res: FrameResult = { lines: [], oversized: 0, badCount: 0 };
    if (this.mode === 'unknown') {
      const first = this.rest?.length ? this.rest[0] : chunk[0];
      if (first === undefined) return res;
      this.mode = isDigit(first) ? 'octet' : 'line';
    }
    if (this.mode === 'line') this.pushLines(chunk, res);
    else this.pushOctets(chunk, res);
    return res;
  }

  /** The decoder holds no partial character: an ASCII chunk may take pushAsciiLines. */
  private ascii = true;

  private pushLines(chunk: Buffer, res: FrameResult): void {
    if (this.ascii && isAscii(chunk)) { this.pushAsciiLines(chunk, res); return; }
    let s = this.decoder.write(chunk);
    // back to the ASCII path once the decoder is empty (was: never again on this connection after one non-ASCII chunk)
    this.ascii = endsOnCharBoundary(chunk);
    if (this.skippingLine) {
      const nl = s.indexOf('\n');
      if (nl < 0) return;
      s = s.slice(nl + 1);
      this.skippingLine = false;
    }
    s = this.textRest + s;
    let start = 0;
    for (;;) {
      const nl = s.indexOf('\n', start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && s.charCodeAt(end - 1) === 13) end--;
      if (end > start && s.charCodeAt(end - 1) === 0) end--;
      if (end - start > MAX_FRAME_BYTES) res.oversized++;
      else if (end > start) res.lines.push(start === 0 && end === s.length ? s : s.slice(start, end));
      start = nl + 1;
    }
    this.textRest = start === 0 ? s : s.slice(start);
    if (this.textRest.length > MAX_FRAME_BYTES) {
      res.oversized++;
      this.textRest = '';
      this.skippingLine = true;
    }
  }

  /**
   * hot path (issue 7; the same change as bench/hunt round 9's line reader): an ASCII chunk's lines are each decoded
   * from the bytes as their own flat string. Was: the chunk decoded once, joined to the previous tail, and every line
   * a slice of it; the parsers read each line with charCodeAt, which on a sliced string goes through its parent on
   * every character, and a line kept for later (a correlation window, the delivery queue) held its whole chunk.
   * Same lines, same counts as the decoder path (test/serve/framing.test.ts compares them on random streams).
   */
  private pushAsciiLines(buf: Buffer, res: FrameResult): void {
    const len = buf.length;
    let start = 0;
    if (this.skippingLine) {
      const nl = buf.indexOf(10);
      if (nl < 0) return;
      start = nl + 1;
      this.skippingLine = false;
    }
    if (this.textRest.length) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) {
        this.textRest += latin1(buf, start, len);
        start = len;
      } else {
        const s = this.textRest + latin1(buf, start, nl);
        this.textRest = '';
        let end = s.length;
        if (end > 0 && s.charCodeAt(end - 1) === 13) end--;
        if (end > 0 && s.charCodeAt(end - 1) === 0) end--;
        if (end > MAX_FRAME_BYTES) res.oversized++;
        else if (end > 0) res.lines.push(end === s.length ? s : s.slice(0, end));
        start = nl + 1;
      }
    }
    for (;;) {
      const nl = start < len ? buf.indexOf(10, start) : -1;
      if (nl < 0) break;
      let end = nl;
      if (end > start && buf[end - 1] === 13) end--;
      if (end > start && buf[end - 1] === 0) end--;
      if (end - start > MAX_FRAME_BYTES) res.oversized++;
      else if (end > start) res.lines.push(latin1(buf, start, end));
      start = nl + 1;
    }
    if (start < len) this.textRest = latin1(buf, start, len);
    if (this.textRest.length > MAX_FRAME_BYTES) {
      res.oversized++;
      this.textRest = '';
      this.skippingLine = true;
    }
  }

  private pushOctets(chunk: Buffer, res: FrameResult): void {
    const buf = this.rest?.length ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = undefined;
    let pos = 0;
    if (this.skip) {
      const n = Math.min(this.skip, buf.length);
      this.skip -= n;
      pos = n;
    }
    while (pos < buf.length) {
      if (this.skippingLine) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) { pos = buf.length; break; }
        this.skippingLine = false;
        pos = nl + 1;
        continue;
      }
      const b = buf[pos];
      if (b === 10 || b === 13 || b === 0 || b === 32) { pos++; continue; } // stray separators between frames
      if (isDigit(b)) {
        let p = pos;
        let len = 0;
        while (p < buf.length && isDigit(buf[p]) && p - pos < 10) len = len * 10 + (buf[p++] - 48);
        if (p >= buf.length) break; // length field incomplete: wait for more
        if (buf[p] === 32) {
          const start = p + 1;
          if (len > MAX_FRAME_BYTES) {
            res.oversized++;
            const have = buf.length - start;
            if (have >= len) { pos = start + len; continue; }
            this.skip = len - have;
            pos = buf.length;
            break;
          }
          if (buf.length - start < len) break; // frame incomplete: wait for more
          let end = start + len;
          while (end > start && (buf[end - 1] === 10 || buf[end - 1] === 13)) end--;
          if (end > start) res.lines.push(buf.toString('utf8', start, end));
          pos = start + len;
          continue;
        }
        res.badCount++;
      }
      // newline-framed message inside an octet-counted stream (or a bad length): up to LF
      const nl = buf.indexOf(10, pos);
      if (nl < 0) {
        if (buf.length - pos > MAX_FRAME_BYTES) {
          res.oversized++;
          this.skippingLine = true;
          pos = buf.length;
        }
        break;
      }
      let end = nl;
      if (end > pos && buf[end - 1] === 13) end--;
      if (end - pos > MAX_FRAME_BYTES) res.oversized++;
      else if (end > pos) res.lines.push(buf.toString('utf8', pos, end));
      pos = nl + 1;
    }
    if (pos < buf.length) this.rest = Buffer.from(buf.subarray(pos));
  }

  /** What is left at connection end (a last message without a trailer) as one message. */
  end(): string[] {
    const out: string[] = [];
    if (this.mode === 'line') {
      const t = (this.textRest + this.decoder.end()).replace(/[\r\0]+$/, '');
      if (t && !this.skippingLine && t.length <= MAX_FRAME_BYTES) out.push(t);
      this.textRest = '';
    } else if (this.rest?.length && !this.skip && !this.skippingLine) {
      const t = this.rest.toString('utf8').trim();
      const m = /^(\d+) ([\s\S]*)$/.exec(t);
      const msg = m ? m[2] : t;
      if (msg && msg.length <= MAX_FRAME_BYTES) out.push(msg);
      this.rest = undefined;
    }
    return out;
  }
}
