import { UUID_RE, uuidv5, TIDEWATCH_NS } from '../../util/uuid.js';
import { addDays, attackId, isoOrUndefined, normTlp, patternForValue, TLP_MARKINGS, type ParseOptions, type ParsedIntel } from './common.js';
import { indicatorObject } from './list.js';

type Rec = Record<string, unknown>;

/** MISP attribute types Tidewatch can match, and which part of a composite value (`a|b`) holds the indicator. */
const TYPES: Record<string, 'value' | 'left' | 'right' | 'both'> = {
  'ip-src': 'value', 'ip-dst': 'value', 'ip-src|port': 'left', 'ip-dst|port': 'left',
  domain: 'value', hostname: 'value', 'domain|ip': 'both', 'hostname|port': 'left',
  url: 'value',
  md5: 'value', sha1: 'value', sha256: 'value', sha512: 'value',
  'filename|md5': 'right', 'filename|sha1': 'right', 'filename|sha256': 'right', 'filename|sha512': 'right',
  'x509-fingerprint-sha1': 'value', 'x509-fingerprint-sha256': 'value', 'x509-fingerprint-md5': 'value',
};

const CONFIDENCE_WORDS: Record<string, number> = {
  'almost-certain': 95, 'very-likely': 85, likely: 70, 'roughly-even-chance': 50, unlikely: 30, 'very-unlikely': 15, 'almost-no-chance': 5,
  high: 85, moderate: 50, medium: 50, low: 15,
};

interface TagInfo { attack: string[]; actors: string[]; tlp?: string; confidence?: number }

function tagInfo(tags: unknown, galaxies: unknown): TagInfo {
  const info: TagInfo = { attack: [], actors: [] };
  for (const t of (Array.isArray(tags) ? tags : []) as Rec[]) {
    const name = typeof t?.name === 'string' ? t.name : '';
    if (/^tlp:/i.test(name)) info.tlp = normTlp(name) ?? info.tlp;
    const g = /^misp-galaxy:([a-z0-9-]+)="(.*)"$/i.exec(name);
    if (g) {
      if (/attack-pattern/.test(g[1])) { const a = attackId(g[2]); if (a) info.attack.push(a); }
      else if (/threat-actor|intrusion-set|malpedia|tool|malware|ransomware|rat|backdoor/.test(g[1])) info.actors.push(g[2]);
    }
    const c = /confidence[a-z-]*="?([a-z-]+)"?$/i.exec(name);
    if (c && CONFIDENCE_WORDS[c[1].toLowerCase()] !== undefined) info.confidence = CONFIDENCE_WORDS[c[1].toLowerCase()];
  }
  for (const g of (Array.isArray(galaxies) ? galaxies : []) as Rec[]) {
    for (const c of (Array.isArray(g?.GalaxyCluster) ? g.GalaxyCluster : []) as Rec[]) {
      const value = typeof c?.value === 'string' ? c.value : '';
      const type = String(g.type ?? c.type ?? '');
      if (/attack-pattern/.test(type)) {
        const ext = (c.meta as Rec | undefined)?.external_id;
        const id = Array.isArray(ext) ? attackId(String(ext[0])) : attackId(value);
        if (id) info.attack.push(id);
      } else if (/threat-actor|intrusion-set|tool|malware|ransomware/.test(type) && value) info.actors.push(value);
    }
  }
  info.attack = [...new Set(info.attack)].sort();
  info.actors = [...new Set(info.actors)].sort();
  return info;
}

function mergeInfo(a: TagInfo, b: TagInfo): TagInfo {
  return {
    attack: [...new Set([...a.attack, ...b.attack])].sort(),
    actors: [...new Set([...a.actors, ...b.actors])].sort(),
    tlp: b.tlp ?? a.tlp,
    confidence: b.confidence ?? a.confidence,
  };
}

/** Finds the events of a MISP JSON export: `{"Event":{...}}`, `{"response":[{"Event":...}]}`, or a list of either. */
export function mispEvents(doc: unknown): Rec[] | undefined {
  const d = doc as Rec;
  if (Array.isArray(doc)) {
    const evs = doc.map((x) => (x && typeof x === 'object' ? ((x as Rec).Event as Rec | undefined) : undefined));
    return evs.every((e) => e && typeof e === 'object') && evs.length ? (evs as Rec[]) : undefined;
  }
  if (d && typeof d === 'object') {
    if (d.Event && typeof d.Event === 'object') return [d.Event as Rec];
    if (Array.isArray(d.response)) return mispEvents(d.response);
  }
  return undefined;
}

/**
 * MISP JSON events. Each attribute of a matchable type (IPs, domains, hostnames, URLs, hashes; see TYPES) becomes a
 * STIX indicator keyed by the attribute's UUID, versioned by its timestamp; `to_ids: false` and deleted attributes
 * are skipped; tags and galaxies give ATT&CK techniques, actors, TLP and confidence.
 */
export function parseMisp(doc: unknown, opts: ParseOptions): ParsedIntel {
  const out: ParsedIntel = { format: 'misp', objects: [], rejected: [], skipped: [], notes: [] };
  const events = mispEvents(doc) ?? [];
  const now = opts.now ?? new Date().toISOString();
  for (const ev of events) {
    const evRef = `event ${String(ev.uuid ?? ev.id ?? '?')}`;
    const org = ((ev.Orgc as Rec | undefined)?.name ?? (ev.Org as Rec | undefined)?.name) as string | undefined;
    const source = org ? `misp:${org}` : opts.source;
    const evInfo = tagInfo(ev.Tag, ev.Galaxy);
    const evTime = isoOrUndefined(ev.timestamp) ?? isoOrUndefined(ev.date) ?? now;
    const attrs: { a: Rec; info: TagInfo }[] = [];
    for (const a of (Array.isArray(ev.Attribute) ? ev.Attribute : []) as Rec[]) attrs.push({ a, info: evInfo });
    for (const o of (Array.isArray(ev.Object) ? ev.Object : []) as Rec[]) {
      for (const a of (Array.isArray(o?.Attribute) ? o.Attribute : []) as Rec[]) attrs.push({ a, info: evInfo });
    }
    if (!attrs.length) out.skipped.push({ ref: evRef, reason: 'event has no attributes' });
    for (const { a, info: baseInfo } of attrs) {
      if (!a || typeof a !== 'object') { out.rejected.push({ ref: evRef, reason: 'attribute is not a JSON object' }); continue; }
      const ref = `attribute ${String(a.uuid ?? a.id ?? '?')}`;
      const type = String(a.type ?? '');
      const part = TYPES[type];
      if (!part) { out.skipped.push({ ref, reason: `MISP type "${type}" is not something Tidewatch matches` }); continue; }
      if (a.deleted === true || a.deleted === '1') { out.skipped.push({ ref, reason: 'attribute is deleted' }); continue; }
      if (a.to_ids === false || a.to_ids === '0' || a.to_ids === 0) { out.skipped.push({ ref, reason: 'to_ids is false (not for detection)' }); continue; }
      if (typeof a.value !== 'string' || !a.value.trim()) { out.rejected.push({ ref, reason: 'attribute without a value' }); continue; }
      const pieces = a.value.split('|');
      if (part !== 'value' && pieces.length !== 2) { out.rejected.push({ ref, reason: `"${type}" value must have the form a|b` }); continue; }
      const values = part === 'value' ? [a.value] : part === 'left' ? [pieces[0]] : part === 'right' ? [pieces[1]] : pieces;
      const pats: string[] = [];
      let bad: string | undefined;
      for (const v of values) {
        const p = patternForValue(v);
        if ('error' in p) { bad = p.error; break; }
        pats.push(p.pattern.slice(1, -1));
      }
      if (bad) { out.rejected.push({ ref, reason: bad }); continue; }
      const info = mergeInfo(baseInfo, tagInfo(a.Tag, a.Galaxy));
      const created = isoOrUndefined(a.timestamp) ?? evTime;
      const uuid = typeof a.uuid === 'string' && UUID_RE.test(a.uuid) ? a.uuid.toLowerCase() : uuidv5(`${source}\n${type}\n${a.value}`, TIDEWATCH_NS);
      const docOut: Record<string, unknown> = {
        type: 'indicator', spec_version: '2.1', id: `indicator--${uuid}`, created, modified: created,
        name: `${type} ${a.value}`, description: typeof ev.info === 'string' ? ev.info : undefined,
        pattern: `[${pats.join(' OR ')}]`, pattern_type: 'stix',
        valid_from: isoOrUndefined(a.first_seen) ?? created,
        indicator_types: ['malicious-activity'],
        labels: typeof a.category === 'string' ? [a.category] : undefined,
      };
      if (part === 'left' && type.endsWith('|port')) out.notes.push({ ref, note: `port ${pieces[1]} is not part of the match (the address alone matches)` });
      if (opts.validDays) docOut.valid_until = addDays(String(docOut.valid_from), opts.validDays);
      if (info.confidence !== undefined) docOut.confidence = info.confidence;
      else if (opts.confidence !== undefined) docOut.confidence = opts.confidence;
      if (info.tlp) docOut.object_marking_refs = [TLP_MARKINGS[info.tlp].id];
      if (info.attack.length) docOut.x_tidewatch_attack = info.attack;
      if (info.actors.length) docOut.x_tidewatch_actors = info.actors;
      docOut.x_misp_event = ev.uuid ?? ev.id;
      for (const k of Object.keys(docOut)) if (docOut[k] === undefined) delete docOut[k];
      out.objects.push(indicatorObject(docOut, source, { attack: info.attack, actors: info.actors, tlp: info.tlp }));
    }
  }
  return out;
}
