/** Helpers both store backends use for threat intel and TAXII rows. */
import { createHash } from 'node:crypto';
import type { IntelObject } from '../model/indicator.js';

/** The TAXII version of an object: `modified`, else `created`, else the STIX 2.1 fixed value for SCOs. */
export function taxiiVersion(doc: Record<string, unknown>): string {
  if (typeof doc.modified === 'string') return doc.modified;
  if (typeof doc.created === 'string') return doc.created;
  return '1970-01-01T00:00:00.000Z';
}

export function encodeCursor(us: number, id: string, version: string): string {
  return Buffer.from(JSON.stringify([us, id, version])).toString('base64url');
}

export function decodeCursor(s: string): { us: number; id: string; version: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 3 && typeof v[0] === 'number' && typeof v[1] === 'string' && typeof v[2] === 'string') return { us: v[0], id: v[1], version: v[2] };
  } catch { /* fall through */ }
  return undefined;
}

/** Hash of what an import carries (the document and the columns derived from it), to tell "same" from "changed". */
export function contentHash(r: IntelObject): string {
  const doc = { ...r.doc };
  // plain lists stamp created/modified/valid_from with the import time: those alone are not a change
  if (typeof doc.x_tidewatch_source === 'string') { delete doc.created; delete doc.modified; delete doc.valid_from; delete doc.valid_until; }
  return createHash('sha1').update(JSON.stringify([doc, r.source, r.attack ?? [], r.actors ?? [], r.tlp ?? null])).digest('hex');
}

