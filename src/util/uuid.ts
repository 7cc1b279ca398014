import { createHash, randomUUID } from 'node:crypto';

/** RFC 4122 name-based UUID (version 5, SHA-1) of `name` in `namespace`. */
export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error(`invalid namespace UUID: ${namespace}`);
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function uuidv4(): string {
  return randomUUID();
}

/** Tidewatch's own namespace for derived STIX ids (indicators from plain lists, sightings of alerts). */
export const TIDEWATCH_NS = '6b1f3c7e-2a4d-5e8f-9a0b-1c2d3e4f5a6b';
/** The namespace STIX 2.1 fixes for deterministic cyber-observable ids. */
export const STIX_SCO_NS = '00abedb4-aa42-466c-9c01-fed23315a9b7';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
