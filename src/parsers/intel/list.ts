import type { IntelObject } from '../../model/indicator.js';
import { uuidv5, TIDEWATCH_NS } from '../../util/uuid.js';
import { addDays, normTlp, patternForValue, TLP_MARKINGS, type ParseOptions, type ParsedIntel } from './common.js';

/** Lines longer than this are refused (a list line is one value). */
const MAX_LINE = 4096;

/**
 * Plain indicator lists: one IP, CIDR, domain, URL or hash per line; `#` starts a comment (whole line, or after
 * whitespace at the end of a line). Each value becomes a STIX indicator whose id is derived from the source name
 * and the value, so re-importing the same list changes nothing.
 */
export function parsePlainList(text: string, opts: ParseOptions): ParsedIntel {
  const out: ParsedIntel = { format: 'list', objects: [], rejected: [], skipped: [], notes: [] };
  const now = opts.now ?? new Date().toISOString();
  const tlp = normTlp(opts.tlp);
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const ref = `line ${i + 1}`;
    let line = lines[i];
    if (line.length > MAX_LINE) { out.rejected.push({ ref, reason: `line longer than ${MAX_LINE} characters` }); continue; }
    if (i === 0) line = line.replace(/^\uFEFF/, '');
    const hash = line.search(/(^|\s)#/);
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (!line) continue;
    // a few lists put a value and a label separated by a comma, tab or space: the value is the first field
    const value = line.includes('://') ? line.split(/\s+/)[0] : line.split(/[\s,;]+/)[0];
    const p = patternForValue(value);
    if ('error' in p) { out.rejected.push({ ref, reason: p.error }); continue; }
    const key = p.pattern;
    if (seen.has(key)) { out.skipped.push({ ref, reason: `duplicate of an earlier line (${p.value})` }); continue; }
    seen.add(key);
    const id = `indicator--${uuidv5(`${opts.source}\n${p.pattern}`, TIDEWATCH_NS)}`;
    const doc: Record<string, unknown> = {
      type: 'indicator', spec_version: '2.1', id, created: now, modified: now,
      name: p.value, pattern: p.pattern, pattern_type: 'stix', valid_from: now,
      indicator_types: ['malicious-activity'],
    };
    if (opts.validDays) doc.valid_until = addDays(now, opts.validDays);
    if (opts.confidence !== undefined) doc.confidence = opts.confidence;
    if (tlp) doc.object_marking_refs = [TLP_MARKINGS[tlp].id];
    doc.x_tidewatch_source = opts.source;
    out.objects.push(indicatorObject(doc, opts.source, { tlp }));
  }
  return out;
}

/** Builds the stored form of an indicator document. */
export function indicatorObject(doc: Record<string, unknown>, source: string, extra: { attack?: string[]; actors?: string[]; tlp?: string } = {}): IntelObject {
  return {
    id: String(doc.id),
    type: 'indicator',
    modified: String(doc.modified ?? doc.created),
    source,
    revoked: doc.revoked === true,
    valid_from: typeof doc.valid_from === 'string' ? doc.valid_from : undefined,
    valid_until: typeof doc.valid_until === 'string' ? doc.valid_until : undefined,
    confidence: typeof doc.confidence === 'number' ? doc.confidence : undefined,
    doc,
    pattern: String(doc.pattern),
    name: typeof doc.name === 'string' ? doc.name : undefined,
    labels: Array.isArray(doc.indicator_types) ? doc.indicator_types.map(String) : Array.isArray(doc.labels) ? doc.labels.map(String) : [],
    attack: extra.attack ?? (Array.isArray(doc.x_tidewatch_attack) ? doc.x_tidewatch_attack.map(String) : []),
    actors: extra.actors ?? (Array.isArray(doc.x_tidewatch_actors) ? doc.x_tidewatch_actors.map(String) : []),
    tlp: extra.tlp,
  };
}
