import { uuidv5, TIDEWATCH_NS, UUID_RE } from '../../util/uuid.js';
import { checkPattern, normDomain, normUrl } from '../../detectors/intel/index.js';
import { parseCidr } from '../../util/ipint.js';
import { attackId, tlpOfMarkingRefs, type ParseOptions, type ParsedIntel } from './common.js';
import { indicatorObject } from './list.js';

const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const SCO_TYPES = new Set(['ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'file', 'email-addr', 'mac-addr', 'autonomous-system',
  'artifact', 'directory', 'email-message', 'mutex', 'network-traffic', 'process', 'software', 'user-account',
  'windows-registry-key', 'x509-certificate']);
/** SCOs that become matchable indicators when a bundle presents them as threat infrastructure. */
const MATCHABLE_SCO = new Set(['ipv4-addr', 'ipv6-addr', 'domain-name', 'url', 'file']);
const ACTOR_TYPES = new Set(['threat-actor', 'intrusion-set', 'campaign', 'malware', 'tool', 'infrastructure']);

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** STIX pattern that matches a cyber-observable object by value (or hashes), or undefined. */
export function patternForSco(o: Record<string, unknown>): string | undefined {
  const t = o.type;
  if ((t === 'ipv4-addr' || t === 'ipv6-addr') && typeof o.value === 'string' && parseCidr(o.value)) return `[${t}:value = ${quote(o.value)}]`;
  if (t === 'domain-name' && typeof o.value === 'string') return `[domain-name:value = ${quote(normDomain(o.value))}]`;
  if (t === 'url' && typeof o.value === 'string') return `[url:value = ${quote(normUrl(o.value))}]`;
  if (t === 'file' && o.hashes && typeof o.hashes === 'object') {
    const parts = Object.entries(o.hashes as Record<string, unknown>)
      .filter(([, v]) => typeof v === 'string' && /^[0-9a-fA-F]+$/.test(v))
      .map(([k, v]) => `file:hashes.${quote(k)} = ${quote(String(v).toLowerCase())}`);
    return parts.length ? `[${parts.join(' OR ')}]` : undefined;
  }
  return undefined;
}

/** Validates the common properties of one STIX object; returns the reason it is refused, or undefined. */
function invalid(o: Record<string, unknown>, bundleVersion: string | undefined): string | undefined {
  if (typeof o.type !== 'string' || !/^[a-z0-9-]{3,250}$/.test(o.type)) return 'missing or invalid "type"';
  if (typeof o.id !== 'string') return 'missing "id"';
  const m = /^([a-z0-9-]+)--(.+)$/.exec(o.id);
  if (!m || m[1] !== o.type) return `id "${o.id}" does not have the form ${o.type}--UUID`;
  if (!UUID_RE.test(m[2])) return `id "${o.id}" does not end in a valid UUID`;
  const sv = o.spec_version ?? bundleVersion;
  if (sv !== undefined && sv !== '2.1' && sv !== '2.0') return `spec_version "${String(sv)}" is not 2.1`;
  const isSco = SCO_TYPES.has(o.type);
  if (!isSco && o.type !== 'marking-definition') {
    for (const k of ['created', 'modified']) {
      if (typeof o[k] !== 'string' || !TIMESTAMP_RE.test(o[k] as string)) return `"${k}" is missing or not an RFC 3339 UTC timestamp`;
    }
    if (Date.parse(o.modified as string) < Date.parse(o.created as string)) return '"modified" is earlier than "created"';
  }
  if (o.confidence !== undefined && (typeof o.confidence !== 'number' || !Number.isInteger(o.confidence) || o.confidence < 0 || o.confidence > 100)) {
    return '"confidence" must be an integer from 0 to 100';
  }
  if (o.revoked !== undefined && typeof o.revoked !== 'boolean') return '"revoked" must be true or false';
  return undefined;
}

/**
 * STIX 2.1 bundles (or a TAXII envelope, or a bare object or array of objects). Every valid object is kept in the
 * store; indicators are checked (pattern syntax with the error offset, pattern_type, validity window) and annotated
 * with the ATT&CK techniques and actors the bundle relates them to.
 */
export function parseStix(doc: unknown, opts: ParseOptions): ParsedIntel {
  const out: ParsedIntel = { format: 'stix', objects: [], rejected: [], skipped: [], notes: [] };
  let objects: unknown[];
  let bundleVersion: string | undefined;
  const d = doc as Record<string, unknown>;
  if (Array.isArray(doc)) objects = doc;
  else if (d && d.type === 'bundle') {
    if (!Array.isArray(d.objects)) { if (d.objects === undefined) return out; out.rejected.push({ ref: String(d.id ?? 'bundle'), reason: '"objects" must be a list' }); return out; }
    objects = d.objects;
    if (typeof d.spec_version === 'string') bundleVersion = d.spec_version; // STIX 2.0 bundles carry it here
  } else if (d && Array.isArray(d.objects)) objects = d.objects; // TAXII envelope
  else objects = [doc];

  const valid: Record<string, unknown>[] = [];
  objects.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) { out.rejected.push({ ref: `objects[${i}]`, reason: 'not a JSON object' }); return; }
    const o = raw as Record<string, unknown>;
    const why = invalid(o, bundleVersion);
    if (why) { out.rejected.push({ ref: typeof o.id === 'string' ? o.id : `objects[${i}]`, reason: why }); return; }
    valid.push(o);
  });

  // relationships inside this bundle: indicator -> technique / actor names
  const byId = new Map(valid.map((o) => [o.id as string, o]));
  const rels = valid.filter((o) => o.type === 'relationship');
  const nameOf = (id: string) => { const t = byId.get(id); return t && typeof t.name === 'string' ? t.name : undefined; };
  const techniqueOf = (id: string) => {
    const t = byId.get(id);
    if (!t || t.type !== 'attack-pattern') return undefined;
    for (const r of (Array.isArray(t.external_references) ? t.external_references : []) as Record<string, unknown>[]) {
      if (typeof r.external_id === 'string' && attackId(r.external_id)) return attackId(r.external_id);
    }
    return typeof t.name === 'string' ? attackId(t.name) : undefined;
  };
  const related = (id: string) => {
    const attack = new Set<string>(), actors = new Set<string>();
    const direct = rels.filter((r) => r.source_ref === id).map((r) => r.target_ref as string);
    const second: string[] = [];
    for (const t of direct) {
      const obj = byId.get(t);
      if (!obj) continue;
      if (obj.type === 'attack-pattern') { const a = techniqueOf(t); if (a) attack.add(a); }
      if (ACTOR_TYPES.has(obj.type as string)) {
        const n = nameOf(t); if (n) actors.add(n);
        for (const r of rels) {
          if (r.source_ref === t) second.push(r.target_ref as string);
          if (r.target_ref === t && (r.relationship_type === 'uses' || r.relationship_type === 'attributed-to')) second.push(r.source_ref as string);
        }
      }
    }
    for (const t of second) {
      const obj = byId.get(t);
      if (!obj) continue;
      if (obj.type === 'attack-pattern') { const a = techniqueOf(t); if (a) attack.add(a); }
      if (obj.type === 'threat-actor' || obj.type === 'intrusion-set' || obj.type === 'campaign') { const n = nameOf(t); if (n) actors.add(n); }
    }
    return { attack: [...attack].sort(), actors: [...actors].sort() };
  };

  // SCOs that describe threat infrastructure: targets of relationships from actors/malware/infrastructure, or not
  // referenced by any observed-data (a bare IOC in the bundle). SCOs only seen inside observed-data are records of
  // what someone observed (possibly victims), so they are stored but not matched.
  const observedRefs = new Set<string>();
  for (const o of valid) if (o.type === 'observed-data' && Array.isArray(o.object_refs)) for (const r of o.object_refs) observedRefs.add(String(r));
  const threatRefs = new Set<string>();
  for (const r of rels) {
    const s = byId.get(r.source_ref as string);
    if (s && (ACTOR_TYPES.has(s.type as string) || s.type === 'indicator')) threatRefs.add(r.target_ref as string);
  }

  for (const o of valid) {
    const id = o.id as string;
    const tlp = tlpOfMarkingRefs(o.object_marking_refs);
    const source = opts.source;
    if (o.type === 'indicator') {
      const pt = o.pattern_type ?? (o.spec_version === undefined && bundleVersion === '2.0' ? 'stix' : undefined);
      if (pt !== 'stix') { out.rejected.push({ ref: id, reason: pt === undefined ? 'indicator without "pattern_type"' : `pattern_type "${String(pt)}" is not supported (only stix patterns can be matched)` }); continue; }
      if (typeof o.pattern !== 'string') { out.rejected.push({ ref: id, reason: 'indicator without "pattern"' }); continue; }
      const chk = checkPattern(o.pattern);
      if (!chk.ok) { out.rejected.push({ ref: id, reason: chk.error }); continue; }
      const validFrom = typeof o.valid_from === 'string' ? o.valid_from : (o.created as string);
      if (!TIMESTAMP_RE.test(validFrom)) { out.rejected.push({ ref: id, reason: '"valid_from" is not an RFC 3339 UTC timestamp' }); continue; }
      if (o.valid_until !== undefined) {
        if (typeof o.valid_until !== 'string' || !TIMESTAMP_RE.test(o.valid_until)) { out.rejected.push({ ref: id, reason: '"valid_until" is not an RFC 3339 UTC timestamp' }); continue; }
        if (Date.parse(o.valid_until) <= Date.parse(validFrom)) { out.rejected.push({ ref: id, reason: '"valid_until" must be later than "valid_from"' }); continue; }
      }
      for (const n of chk.report.notes) out.notes.push({ ref: id, note: n });
      if (chk.report.unmatchable) out.notes.push({ ref: id, note: 'stored, but no part of this pattern can match Tidewatch data' });
      const rel = related(id);
      const own = ownAttack(o);
      const docCopy = { ...o, valid_from: validFrom };
      out.objects.push(indicatorObject(docCopy, source, { attack: [...new Set([...rel.attack, ...own])].sort(), actors: rel.actors, tlp }));
      continue;
    }
    out.objects.push({
      id, type: o.type as string, modified: String(o.modified ?? o.created ?? '1970-01-01T00:00:00.000Z'), source,
      revoked: o.revoked === true, confidence: typeof o.confidence === 'number' ? o.confidence : undefined, doc: o, tlp,
      name: typeof o.name === 'string' ? o.name : typeof o.value === 'string' ? o.value : undefined,
    });
    if (MATCHABLE_SCO.has(o.type as string) && (threatRefs.has(id) || !observedRefs.has(id))) {
      const pattern = patternForSco(o);
      if (!pattern) { out.notes.push({ ref: id, note: 'observable has no value or hashes to match' }); continue; }
      // the relationship that made it a threat (if any) lends its actors and techniques
      const owners = rels.filter((r) => r.target_ref === id).map((r) => r.source_ref as string);
      const attack = new Set<string>(), actors = new Set<string>();
      for (const ow of owners) {
        const n = nameOf(ow); if (n && ACTOR_TYPES.has(String(byId.get(ow)?.type))) actors.add(n);
        const r = related(ow); r.attack.forEach((a) => attack.add(a)); r.actors.forEach((a) => actors.add(a));
      }
      const derived: Record<string, unknown> = {
        type: 'indicator', spec_version: '2.1', id: `indicator--${uuidv5(id, TIDEWATCH_NS)}`,
        created: '1970-01-01T00:00:00.000Z', modified: '1970-01-01T00:00:00.000Z',
        name: `${o.type} ${typeof o.value === 'string' ? o.value : 'hashes'}`, pattern, pattern_type: 'stix',
        valid_from: '1970-01-01T00:00:00.000Z', indicator_types: ['malicious-activity'],
        x_tidewatch_derived_from: id,
      };
      if (Array.isArray(o.object_marking_refs)) derived.object_marking_refs = o.object_marking_refs;
      out.objects.push(indicatorObject(derived, source, { attack: [...attack].sort(), actors: [...actors].sort(), tlp }));
    }
  }
  return out;
}

/** ATT&CK ids an object names itself (external references, kill-chain phases of `mitre-attack`). */
function ownAttack(o: Record<string, unknown>): string[] {
  const out = new Set<string>();
  for (const r of (Array.isArray(o.external_references) ? o.external_references : []) as Record<string, unknown>[]) {
    if (typeof r.external_id === 'string' && typeof r.source_name === 'string' && /mitre/i.test(r.source_name)) {
      const a = attackId(r.external_id); if (a) out.add(a);
    }
  }
  for (const x of (Array.isArray(o.x_tidewatch_attack) ? o.x_tidewatch_attack : []) as unknown[]) { const a = attackId(String(x)); if (a) out.add(a); }
  return [...out];
}
