/**
 * One entry point for every line-oriented log format Tidewatch reads: `parseLine(text, ctx)` returns
 * `{event}` or `{error}`. Never throws. Syslog families (RFC 3164/5424, Cisco IOS/IOS XE/IOS XR/NX-OS/ASA,
 * Junos, Arista EOS, Linux), TACACS+ accounting (tac_plus files, ISE) and JSON Lines.
 * Event fields: docs/EVENTS.md.
 */
import type { ParseContext, ParseResult } from './types.js';
import type { Event } from '../model/event.js';
import { parseSyslog } from './syslog/index.js';
import { parseJsonLine } from './jsonl.js';

export type { ParseContext, ParseResult, Platform, EventKind } from './types.js';
export { PLATFORMS } from './types.js';
export { parseTimeValue } from './syslog/time.js';
export { getPath, jsonEventTime } from './jsonl.js';
export { completeEvent, dropPending, LAZY_ROUTE_FIELDS } from './syslog/index.js';

export function parseLine(text: string, ctx: ParseContext = {}): ParseResult {
  const r = parseEvent(text, ctx);
  return typeof r === 'string' ? { error: r } : { event: r };
}

/** Like parseLine, without the result wrapper: the event, or the reason string. Never throws. */
export function parseEvent(text: string, ctx: ParseContext = {}): Event | string {
  try {
    let i = 0;
    while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (ctx.json || ctx.platform === 'jsonl' || text.charCodeAt(i) === 123) return parseJsonLine(i ? text.slice(i) : text, ctx.timeField, ctx.refMs);
    return parseSyslog(text, ctx);
  } catch (e) {
    // defensive: a parser bug must not stop a run
    return `parser failure: ${(e as Error).message}`;
  }
}
