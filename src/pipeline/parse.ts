/**
 * Files (plain, gzip, `-` for stdin) -> parsed lines, in batches. Shared by `tidewatch parse`, `tidewatch hunt`
 * and anything else that reads log files. Year-less stamps take their year from the file's modification time
 * (stdin: the run's time).
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { openInput, readLineBatches, readLineTexts } from '../sources/lines.js';
import { parseEvent, completeEvent, dropPending } from '../parsers/index.js';
import type { ParseContext, Platform } from '../parsers/index.js';
import type { Event } from '../model/event.js';

export interface ParsedItem {
  file: string;
  line: number;
  event?: Event;
  error?: string;
}

export interface ParseFileOptions {
  platform?: Platform;
  timeField?: string;
  /** Reference time for year-less stamps; default: the file's mtime (stdin: now). */
  refMs?: number;
  batchSize?: number;
  /** Lazy syslog parsing (ParseContext.lazy): only for parseFileEach, whose callback must complete or drop each event. */
  lazy?: boolean;
}

/** Counters of one parse run: what was read, parsed and dropped, and why. */
export interface ParseCounters {
  lines: number;
  events: number;
  errors: number;
  oversized: number;
  /** Error reason -> count. */
  reasons: Record<string, number>;
}

export function newCounters(): ParseCounters {
  return { lines: 0, events: 0, errors: 0, oversized: 0, reasons: {} };
}

/** Reference time for a path: its mtime, or now for stdin or an unreadable stat. */
export async function refTimeOf(path: string): Promise<number> {
  if (path === '-') return Date.now();
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** Detects JSON Lines by name or by the first non-blank character of the first line. */
function looksJson(path: string): boolean {
  return /\.(jsonl|ndjson|json)(\.gz)?$/i.test(path);
}

/** The parse context of one input (reference time from its mtime, JSON Lines by name or --platform) and its stream. */
async function openParse(path: string, opts: ParseFileOptions): Promise<{ ctx: ParseContext; input: Readable }> {
  const refMs = opts.refMs ?? (await refTimeOf(path));
  const ctx: ParseContext = { file: path, refMs, platform: opts.platform, timeField: opts.timeField, json: looksJson(path) || opts.platform === 'jsonl', lazy: false };
  return { ctx, input: await openInput(path) };
}

/**
 * One line of an input, counted: its event (flagged `truncated` when the line was cut), the reason it did not parse,
 * or undefined for a blank line (which still counts as a line).
 */
function parseCounted(text: string, no: number, oversized: boolean, ctx: ParseContext, counters: ParseCounters): Event | string | undefined {
  counters.lines++;
  if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '')) return undefined;
  ctx.line = no;
  const r = parseEvent(text, ctx);
  if (oversized) counters.oversized++;
  if (typeof r !== 'string') {
    if (oversized) { completeEvent(r); r.truncated = true; } // after the extracted fields, as a full parse has them
    counters.events++;
    return r;
  }
  counters.errors++;
  counters.reasons[r] = (counters.reasons[r] ?? 0) + 1;
  return oversized ? `line longer than 65536 bytes was cut; ${r}` : r;
}

/**
 * Reads one input and yields batches of parsed lines. Blank lines are skipped (they still count in line numbers).
 * Throws only when the input cannot be opened.
 */
export async function* parseFile(path: string, opts: ParseFileOptions = {}, counters: ParseCounters = newCounters()): AsyncGenerator<ParsedItem[]> {
  const { ctx, input } = await openParse(path, opts);
  for await (const batch of readLineBatches(input, opts.batchSize ?? 4096)) {
    const out: ParsedItem[] = [];
    for (let i = 0; i < batch.length; i++) {
      const l = batch[i];
      const r = parseCounted(l.text, l.no, l.oversized === true, ctx, counters);
      if (r === undefined) continue;
      out.push(typeof r === 'string' ? { file: path, line: l.no, error: r } : { file: path, line: l.no, event: r });
    }
    if (out.length) yield out;
  }
}

/**
 * parseFile without an object per line: calls `onLine(event, line)` for each event and `onLine(undefined, line,
 * reason)` for each line that did not parse, in order, awaiting the promise it returns (if any). Same counters,
 * blank-line skipping and oversized-line flags as parseFile. Throws only when the input cannot be opened.
 */
export async function parseFileEach(
  path: string,
  opts: ParseFileOptions,
  counters: ParseCounters,
  onLine: (event: Event | undefined, line: number, error?: string) => Promise<void> | undefined,
): Promise<void> {
  const { ctx, input } = await openParse(path, opts);
  ctx.lazy = opts.lazy === true;
  // hot path (tidewatch hunt over one file): no Line, ParsedItem or result wrapper objects per line (three objects
  // per line less; on its own within the noise of bench/hunt under load)
  for await (const batch of readLineTexts(input, opts.batchSize ?? 4096)) {
    const texts = batch.texts;
    const cut = batch.cut;
    let nextCut = cut.length ? cut[0] : -1, ci = 0;
    for (let i = 0; i < texts.length; i++) {
      const no = batch.first + i;
      const oversized = i === nextCut;
      if (oversized) nextCut = ++ci < cut.length ? cut[ci] : -1;
      const r = parseCounted(texts[i], no, oversized, ctx, counters);
      if (r === undefined) continue;
      const p = typeof r === 'string' ? onLine(undefined, no, r) : onLine(r, no);
      if (p) await p;
    }
  }
  if (ctx.lazy) dropPending();
}
