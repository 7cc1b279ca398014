import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { isAscii } from 'node:buffer';
import { latin1 } from '../util/latin1.js';
import { endsOnCharBoundary } from '../util/utf8-boundary.js';

/** Opens a file (or `-` for stdin) as a byte stream, transparently gunzipping when the content starts with the gzip magic. */
export async function openInput(path: string): Promise<Readable> {
  if (path === '-') return sniffGzip(process.stdin);
  const fh = await open(path, 'r');
  const head = Buffer.alloc(2);
  const { bytesRead } = await fh.read(head, 0, 2, 0);
  await fh.close();
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  if (bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b) return stream.pipe(createGunzip());
  return stream;
}

async function sniffGzip(input: Readable): Promise<Readable> {
  // stdin cannot be re-read: peek the first chunk, then put it back.
  const it = input[Symbol.asyncIterator]();
  const first = await it.next();
  const { PassThrough } = await import('node:stream');
  const pt = new PassThrough({ highWaterMark: 1 << 20 });
  (async () => {
    if (!first.done) pt.write(first.value);
    for (let r = await it.next(); !r.done; r = await it.next()) if (!pt.write(r.value)) await new Promise((res) => pt.once('drain', res));
    pt.end();
  })().catch((e) => pt.destroy(e));
  const chunk = first.done ? undefined : (first.value as Buffer);
  if (chunk && chunk[0] === 0x1f && chunk[1] === 0x8b) return pt.pipe(createGunzip());
  return pt;
}

export interface Line {
  /** 1-based line number in the input. */
  no: number;
  text: string;
}

/** Longest line we keep; longer lines are cut and flagged (telemetry is hostile). */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Splits a byte stream into lines (LF or CRLF), yielding batches of lines to keep per-line overhead low: the lines of
 * readLineTexts as objects. Own code rather than readline: readline is several times slower on multi-GB inputs
 * (bench/hunt). Lines longer than MAX_LINE_BYTES are truncated and reported with `oversized: true`.
 */
export async function* readLineBatches(input: Readable, batchSize = 4096): AsyncGenerator<(Line & { oversized?: boolean })[]> {
  for await (const b of readLineTexts(input, batchSize)) {
    const out: (Line & { oversized?: boolean })[] = b.texts.map((text, i) => ({ no: b.first + i, text }));
    for (const i of b.cut) out[i].oversized = true;
    yield out;
  }
}

/** A batch of consecutive lines: line `first + i` is `texts[i]`; `cut` lists the indexes of lines that were cut. */
export interface LineTexts {
  first: number;
  texts: string[];
  cut: number[];
}

/**
 * readLineBatches without an object per line (hot path of `tidewatch hunt`: bench/hunt): the same lines, line
 * numbers and cutting of oversized lines, as arrays of texts.
 */
export async function* readLineTexts(input: Readable, batchSize = 4096): AsyncGenerator<LineTexts> {
  let rest = '';
  let no = 0;
  let batch: LineTexts = { first: 1, texts: [], cut: [] };
  let skipUntilNewline = false;
  const decoder = new StringDecoder('utf8'); // keeps multi-byte characters split across chunks whole
  // Fast path for chunks of plain ASCII (most device logs): a latin1 copy gives the same string as UTF-8 decoding,
  // without the decoder. A chunk that is not ASCII goes through the decoder, and so does every chunk after it until
  // the decoder holds no partial character again (a character split across chunks is still decoded whole). Was:
  // the decoder for the rest of the input from the first non-ASCII byte, so one accented user name slowed the
  // whole file down by the flat-line gain (about 10%).
  let ascii = true;
  for await (const chunk of input) {
    if (ascii && typeof chunk !== 'string' && isAscii(chunk as Buffer)) {
      // hot path (bench/hunt round 9): each line is its own flat string, decoded from the chunk's bytes (was: one
      // latin1 string per chunk and every line a slice of it). Every parser and the engine's literal scan read the
      // line with charCodeAt, which on a sliced string pays the indirection to its parent on each character; a
      // walk over flat lines was about 25% cheaper per character in one process, more than the native call per
      // line costs. A line no longer pins its megabyte-sized chunk either.
      const buf = chunk as Buffer;
      const len = buf.length;
      let start = 0;
      if (skipUntilNewline) {
        const nl = buf.indexOf(10);
        if (nl < 0) continue;
        start = nl + 1;
        skipUntilNewline = false;
      }
      if (rest.length) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) {
          rest += latin1(buf, start, len);
          start = len;
        } else {
          let end = nl;
          if (end > start && buf[end - 1] === 13) end--;
          let s = rest + latin1(buf, start, end);
          rest = '';
          if (nl === start && s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1); // the CR ended the last chunk
          no++;
          if (s.length > MAX_LINE_BYTES) { batch.cut.push(batch.texts.length); batch.texts.push(s.slice(0, MAX_LINE_BYTES)); }
          else batch.texts.push(s);
          if (batch.texts.length >= batchSize) { yield batch; batch = { first: no + 1, texts: [], cut: [] }; }
          start = nl + 1;
        }
      }
      for (;;) {
        const nl = start < len ? buf.indexOf(10, start) : -1;
        if (nl < 0) break;
        let end = nl;
        if (end > start && buf[end - 1] === 13) end--;
        no++;
        if (end - start > MAX_LINE_BYTES) { batch.cut.push(batch.texts.length); batch.texts.push(latin1(buf, start, start + MAX_LINE_BYTES)); }
        else batch.texts.push(latin1(buf, start, end));
        start = nl + 1;
        if (batch.texts.length >= batchSize) { yield batch; batch = { first: no + 1, texts: [], cut: [] }; }
      }
      if (start < len) rest += latin1(buf, start, len);
    } else {
      let text: string;
      if (typeof chunk === 'string') text = chunk;
      else { text = decoder.write(chunk as Buffer); ascii = endsOnCharBoundary(chunk as Buffer); }
      if (skipUntilNewline) {
        // still inside a runaway line that was already emitted (cut): drop bytes up to its end
        const nl = text.indexOf('\n');
        if (nl < 0) continue;
        text = text.slice(nl + 1);
        skipUntilNewline = false;
      }
      // hot path (perf on bench/hunt: flattening rest + chunk was 2-4% in page faults and memmove): the chunk's first
      // line is joined with the previous chunk's tail on its own; the chunk itself is
      // never concatenated (rest + chunk made V8 copy every megabyte once more into a fresh allocation)
      let s = text;
      let start = 0;
      if (rest.length) {
        const nl = text.indexOf('\n');
        if (nl < 0) {
          s = rest + text;
          rest = '';
        } else {
          s = rest + text.slice(0, nl + 1);
          rest = '';
          let end = s.length - 1;
          if (end > 0 && s.charCodeAt(end - 1) === 13) end--;
          no++;
          if (end > MAX_LINE_BYTES) { batch.cut.push(batch.texts.length); batch.texts.push(s.slice(0, MAX_LINE_BYTES)); }
          else batch.texts.push(s.slice(0, end));
          if (batch.texts.length >= batchSize) { yield batch; batch = { first: no + 1, texts: [], cut: [] }; }
          s = text;
          start = nl + 1;
        }
      }
      for (;;) {
        const nl = s.indexOf('\n', start);
        if (nl < 0) break;
        let end = nl;
        if (end > start && s.charCodeAt(end - 1) === 13) end--;
        no++;
        if (end - start > MAX_LINE_BYTES) { batch.cut.push(batch.texts.length); batch.texts.push(s.slice(start, start + MAX_LINE_BYTES)); }
        else batch.texts.push(s.slice(start, end));
        start = nl + 1;
        if (batch.texts.length >= batchSize) { yield batch; batch = { first: no + 1, texts: [], cut: [] }; }
      }
      rest = s.slice(start);
    }
    if (rest.length > MAX_LINE_BYTES * 4) {
      // a runaway line with no newline: emit what we have, flagged, and keep skipping until the next newline
      no++;
      batch.cut.push(batch.texts.length);
      batch.texts.push(rest.slice(0, MAX_LINE_BYTES));
      rest = '';
      skipUntilNewline = true;
    }
  }
  if (rest.length) {
    no++;
    let end = rest.length;
    if (rest.charCodeAt(end - 1) === 13) end--;
    if (end > MAX_LINE_BYTES) batch.cut.push(batch.texts.length);
    batch.texts.push(rest.slice(0, Math.min(end, MAX_LINE_BYTES)));
  }
  if (batch.texts.length) yield batch;
}
