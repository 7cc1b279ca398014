import { parseStix } from './stix.js';
import { mispEvents, parseMisp } from './misp.js';
import { parsePlainList } from './list.js';
import type { ParseOptions, ParsedIntel } from './common.js';

export type { ParsedIntel, ParseOptions } from './common.js';

/** Input larger than this is refused whole (a bundle is parsed in memory). */
export const MAX_INTEL_BYTES = 512 * 1024 * 1024;

/** An input that could not be read as any format; `position` is a character offset when known. */
export class IntelInputError extends Error {
  constructor(readonly source: string, message: string, readonly position?: number) {
    super(`${source}: ${message}`);
  }
}

/**
 * Detects the format from the content (never the file name): a JSON document that is a STIX bundle, a TAXII
 * envelope or STIX object(s) is STIX; one with `Event` (or `response: [{Event}]`) is MISP; anything else is a plain
 * list. A document that starts like JSON but does not parse is an error naming the offset.
 */
export function parseIntelText(text: string, opts: ParseOptions): ParsedIntel {
  if (text.length > MAX_INTEL_BYTES) throw new IntelInputError(opts.source, `input larger than ${MAX_INTEL_BYTES} bytes`);
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    let doc: unknown;
    try { doc = JSON.parse(t); } catch (e) {
      const msg = (e as Error).message;
      const pos = /position (\d+)/.exec(msg)?.[1];
      const offset = pos !== undefined ? Number(pos) + (text.length - t.length) : undefined;
      throw new IntelInputError(opts.source, `not valid JSON${offset !== undefined ? ` at offset ${offset}` : ''}: ${msg}`, offset);
    }
    if (mispEvents(doc)) return parseMisp(doc, opts);
    const d = doc as Record<string, unknown>;
    const looksStix = Array.isArray(doc)
      ? doc.every((x) => x && typeof x === 'object' && typeof (x as Record<string, unknown>).type === 'string')
      : d && typeof d === 'object' && (typeof d.type === 'string' || Array.isArray(d.objects));
    if (looksStix) return parseStix(doc, opts);
    throw new IntelInputError(opts.source, 'JSON document is neither a STIX bundle/object nor a MISP event');
  }
  return parsePlainList(text, opts);
}
