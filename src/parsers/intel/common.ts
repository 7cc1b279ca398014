import type { IntelObject } from '../../model/indicator.js';
import { checkPattern, hashAlgo, normDomain, normUrl, observablesOf, isDomain, isHash } from '../../detectors/intel/index.js';
import { parseCidr } from '../../util/ipint.js';

/** Result of parsing one intel input (file, URL, TAXII page). */
export interface ParsedIntel {
  format: 'stix' | 'misp' | 'list';
  objects: IntelObject[];
  /** Objects or lines refused, with the reason (`ref` is an object id, `line N`, or `offset N`). */
  rejected: { ref: string; reason: string }[];
  /** Objects or lines left out on purpose (not an indicator we can use), with the reason. */
  skipped: { ref: string; reason: string }[];
  /** Accepted objects with parts that will never match here (unsupported pattern parts). */
  notes: { ref: string; note: string }[];
}

export interface ParseOptions {
  /** Source name stored with every object (file name, feed name). */
  source: string;
  /** Default confidence (0-100) for formats that carry none (plain lists). */
  confidence?: number;
  /** Days a plain-list or MISP indicator stays valid after import (default: no expiry). */
  validDays?: number;
  /** TLP for plain lists (`clear`, `green`, `amber`, `red`). */
  tlp?: string;
  /** Import time (ISO 8601); default now. */
  now?: string;
}

export const TLP_MARKINGS: Record<string, { id: string; name: string; tlp: string }> = {
  white: { id: 'marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9', name: 'TLP:WHITE', tlp: 'white' },
  green: { id: 'marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da', name: 'TLP:GREEN', tlp: 'green' },
  amber: { id: 'marking-definition--f88d31f6-486f-44da-b317-01333bde0b82', name: 'TLP:AMBER', tlp: 'amber' },
  red: { id: 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed', name: 'TLP:RED', tlp: 'red' },
};

/** Normalizes a TLP word (`TLP:AMBER`, `amber`, `clear`) to white/green/amber/red, or undefined. */
export function normTlp(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const t = s.trim().toLowerCase().replace(/^tlp:/, '').replace(/\+strict$/, '');
  if (t === 'clear') return 'white';
  return t in TLP_MARKINGS ? t : undefined;
}

export function tlpOfMarkingRefs(refs: unknown): string | undefined {
  if (!Array.isArray(refs)) return undefined;
  for (const [k, m] of Object.entries(TLP_MARKINGS)) if (refs.includes(m.id)) return k;
  return undefined;
}

const ATTACK_RE = /\b(T\d{4}(?:\.\d{3})?)\b/;

/** Extracts an ATT&CK technique id from text such as `Exploit Public-Facing Application - T1190`. */
export function attackId(s: string): string | undefined {
  return ATTACK_RE.exec(s)?.[1];
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The STIX pattern for one bare value (IP, CIDR, domain, URL, hash), or an error. Used for plain lists and MISP.
 */
export function patternForValue(raw: string): { pattern: string; kind: string; value: string } | { error: string } {
  const v = raw.trim();
  if (!v) return { error: 'empty value' };
  if (v.includes('/') && !v.includes('://')) {
    const c = parseCidr(v);
    if (!c) return { error: `"${v}" is not a valid CIDR prefix` };
    const t = c.family === 4 ? 'ipv4-addr' : 'ipv6-addr';
    return { pattern: `[${t}:value = ${quote(c.text)}]`, kind: t, value: c.text };
  }
  const o = observablesOf(v);
  if (!o) return { error: `"${v.length > 80 ? v.slice(0, 80) + '…' : v}" is not an IP address, CIDR prefix, domain, URL or hash` };
  switch (o.kind) {
    case 'ipv4': return { pattern: `[ipv4-addr:value = ${quote(o.value)}]`, kind: 'ipv4-addr', value: o.value };
    case 'ipv6': return { pattern: `[ipv6-addr:value = ${quote(o.value)}]`, kind: 'ipv6-addr', value: o.value };
    case 'domain': return { pattern: `[domain-name:value = ${quote(normDomain(o.value))}]`, kind: 'domain-name', value: o.value };
    case 'url': return { pattern: `[url:value = ${quote(normUrl(o.value))}]`, kind: 'url', value: o.value };
    case 'hash': return { pattern: `[file:hashes.${quote(hashAlgo(o.value))} = ${quote(o.value)}]`, kind: 'file', value: o.value };
  }
}

export { checkPattern, isDomain, isHash };

export function isoOrUndefined(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const ms = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString();
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86400_000).toISOString();
}
