/**
 * Timestamp helpers for log parsers: syslog month stamps (with or without year, milliseconds and zone),
 * NX-OS `YYYY Mon D` stamps, ISO 8601, epoch seconds/milliseconds. Hot path: hand-written scanning, no regex,
 * and an ISO-string cache per second so a line costs one short concatenation.
 */
import { detach } from '../../util/detach.js';

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

/** Month index from three letters at `s[p..p+3)` (any case), or -1. */
export function monthAt(s: string, p: number): number {
  if (p + 3 > s.length) return -1;
  const a = s.charCodeAt(p) | 0x20, b = s.charCodeAt(p + 1) | 0x20, c = s.charCodeAt(p + 2) | 0x20;
  switch (a) {
    case 106: // j
      if (b === 97 && c === 110) return 0; // jan
      if (b === 117 && c === 110) return 5; // jun
      if (b === 117 && c === 108) return 6; // jul
      return -1;
    case 102: return b === 101 && c === 98 ? 1 : -1; // feb
    case 109: // m
      if (b === 97 && c === 114) return 2; // mar
      if (b === 97 && c === 121) return 4; // may
      return -1;
    case 97: // a
      if (b === 112 && c === 114) return 3; // apr
      if (b === 117 && c === 103) return 7; // aug
      return -1;
    case 115: return b === 101 && c === 112 ? 8 : -1; // sep
    case 111: return b === 99 && c === 116 ? 9 : -1; // oct
    case 110: return b === 111 && c === 118 ? 10 : -1; // nov
    case 100: return b === 101 && c === 99 ? 11 : -1; // dec
    default: return -1;
  }
}

export function monthIndex(name: string): number {
  const m = MONTHS[name.slice(0, 3).toLowerCase()];
  return m === undefined ? -1 : m;
}

/** Offsets in minutes of the zone abbreviations devices print (`clock timezone` names). Unknown names count as UTC. */
const ZONES: Record<string, number> = {
  utc: 0, gmt: 0, z: 0, ut: 0, wet: 0, west: 60, bst: 60, ist: 60, cet: 60, cest: 120, met: 60, mest: 120,
  eet: 120, eest: 180, msk: 180, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360,
  pst: -480, pdt: -420, akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nst: -210, ndt: -150,
  aest: 600, aedt: 660, acst: 570, acdt: 630, awst: 480, jst: 540, kst: 540, hkt: 480, sgt: 480, nzst: 720, nzdt: 780,
};

/** Parses a zone token (`UTC`, `CEST`, `UTC+1`, `UTC+07:30`, `+00:00`, `-0500`, `Z`) into minutes east of UTC; undefined if not a zone. */
const zoneCache = new Map<string, number | null>();

export function zoneOffset(tok: string): number | undefined {
  if (!tok) return undefined;
  // hot path: a log repeats the same few zone tokens
  const hit = zoneCache.get(tok);
  if (hit !== undefined) return hit === null ? undefined : hit;
  const v = zoneOffsetOf(tok);
  if (zoneCache.size > 1000) zoneCache.clear();
  zoneCache.set(detach(tok), v === undefined ? null : v);
  return v;
}

function zoneOffsetOf(tok: string): number | undefined {
  const c0 = tok.charCodeAt(0);
  if (c0 === 43 || c0 === 45) return signedOffset(tok);
  let i = 0;
  while (i < tok.length) {
    const c = tok.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) break;
    i++;
  }
  if (i === 0 || i > 5) return undefined;
  const name = tok.slice(0, i).toLowerCase();
  const base = ZONES[name];
  if (i === tok.length) return base ?? (isUpperOrLowerWord(tok) ? 0 : undefined);
  const rest = tok.slice(i);
  const off = signedOffset(rest);
  if (off === undefined) return undefined;
  return (base ?? 0) + off;
}

function isUpperOrLowerWord(t: string): boolean {
  return /^(?:[A-Z]{2,5}|[a-z]{2,5})$/.test(t);
}

function signedOffset(t: string): number | undefined {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(t);
  if (!m) return undefined;
  const v = Number(m[2]) * 60 + (m[3] ? Number(m[3]) : 0);
  if (v > 14 * 60) return undefined;
  return m[1] === '-' ? -v : v;
}

const MS_SUFFIX: string[] = [];
for (let i = 0; i < 1000; i++) MS_SUFFIX.push('.' + String(i).padStart(3, '0') + 'Z');

const isoCache = new Map<number, string>();
let lastIsoSec = NaN;
let lastIsoPrefix: string | undefined;
/** ISO 8601 UTC with milliseconds, cached per second (log lines share seconds). */
export function isoFromMs(ms: number): string {
  const sec = Math.floor(ms / 1000);
  // hot path (bench/hunt round 6): consecutive lines mostly share the second (no map lookup of a heap number then)
  let prefix = sec === lastIsoSec ? lastIsoPrefix : isoCache.get(sec);
  if (prefix === undefined) {
    const d = new Date(sec * 1000);
    if (Number.isNaN(d.getTime())) return 'invalid';
    prefix = d.toISOString().slice(0, 19);
    if (isoCache.size > 50_000) isoCache.clear();
    isoCache.set(sec, prefix);
  }
  lastIsoSec = sec;
  lastIsoPrefix = prefix;
  const iso = prefix + MS_SUFFIX[ms - sec * 1000];
  // remembered for lastIsoMsOf only when it is the ISO form of ms: whole ms (else the suffix is missing) in the
  // years 0 to 9999 (outside them toISOString has a sign and six digits, and the prefix cut above is not ISO)
  if (iso.length === 24 && ms >= MIN_ISO_MS && ms < MAX_ISO_MS) { lastIso = iso; lastIsoMs = ms; }
  return iso;
}

const MIN_ISO_MS = -62167219200000; // 0000-01-01T00:00:00.000Z
const MAX_ISO_MS = 253402300800000; // 10000-01-01T00:00:00.000Z
let lastIso: string | undefined;
let lastIsoMs = 0;

/**
 * The epoch ms of `iso` when it is the string isoFromMs returned last (the same value as Date.parse of it), else
 * undefined. hot path (bench/hunt round 6): the engine needs the ms of every event's time for windowed
 * correlations; the parser has just made that string from the ms, and Date.parse would read it back.
 */
export function lastIsoMsOf(iso: string): number | undefined {
  return iso === lastIso ? lastIsoMs : undefined;
}

const YEAR_MS = 365.2425 * 86400_000;

/**
 * Picks the year for a year-less stamp: the year that puts it closest before the reference time
 * (the file's modification time, or the run's time). One day of slack absorbs zone and clock skew.
 */
let lastRefMs = NaN;
let lastRefYear = 0;

export function inferYear(month: number, day: number, hh: number, mm: number, ss: number, refMs: number): number {
  // hot path (every year-less stamp): the reference time is the same for a whole file
  if (refMs !== lastRefMs) { lastRefMs = refMs; lastRefYear = new Date(refMs).getUTCFullYear(); }
  const refYear = lastRefYear;
  const t = Date.UTC(refYear, month, day, hh, mm, ss);
  if (t > refMs + 86400_000) return refYear - 1;
  if (refMs - t > YEAR_MS) return refYear + 1; // cannot happen for a real date, kept for safety
  return refYear;
}

/** Result of scanning a timestamp: epoch ms (UTC), and the index just after the stamp. */
export interface Stamp {
  ms: number;
  end: number;
  /** The stamp carried a year. */
  year: boolean;
  /** The stamp carried a zone or offset. */
  zone: boolean;
}

function digits(s: string, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(p + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// hot path: clock() leaves its fields here instead of returning an array per stamp
let ckH = 0, ckMi = 0, ckSe = 0, ckMs = 0;

/** Reads `HH:MM:SS[.fff...]` at p into ckH/ckMi/ckSe/ckMs; returns the end index, or -1. */
function clock(s: string, p: number): number {
  // hour may be 1 or 2 digits
  let h: number;
  if (isDigit(s.charCodeAt(p)) && s.charCodeAt(p + 1) === 58) { h = s.charCodeAt(p) - 48; p += 2; }
  else { h = digits(s, p, 2); if (h < 0 || s.charCodeAt(p + 2) !== 58) return -1; p += 3; }
  const mi = digits(s, p, 2);
  if (mi < 0 || s.charCodeAt(p + 2) !== 58) return -1;
  const se = digits(s, p + 3, 2);
  if (se < 0) return -1;
  p += 5;
  let ms = 0;
  if (s.charCodeAt(p) === 46 || s.charCodeAt(p) === 44) {
    let q = p + 1, n = 0, v = 0;
    while (isDigit(s.charCodeAt(q))) { if (n < 3) { v = v * 10 + (s.charCodeAt(q) - 48); n++; } q++; }
    if (q === p + 1) return -1;
    while (n < 3) { v *= 10; n++; }
    ms = v; p = q;
  }
  if (h > 23 || mi > 59 || se > 60) return -1;
  ckH = h; ckMi = mi; ckSe = se === 60 ? 59 : se; ckMs = ms;
  return p;
}

// hot path: consecutive lines mostly share the second; Date.UTC (and the year inference) run once per second.
// With clock() below and the zone memo in zoneAfter: stamp scanning went from 7.6% to 4.6% of the bench/hunt profile.
let utcY = NaN, utcMon = -1, utcDay = -1, utcH = -1, utcMi = -1, utcSe = -1, utcMs = 0;
function utcSecond(y: number, mon: number, day: number, h: number, mi: number, se: number): number {
  if (se !== utcSe || mi !== utcMi || h !== utcH || day !== utcDay || mon !== utcMon || y !== utcY) {
    utcMs = Date.UTC(y, mon, day, h, mi, se);
    utcY = y; utcMon = mon; utcDay = day; utcH = h; utcMi = mi; utcSe = se;
  }
  return utcMs;
}

// year-less stamps: the year inferred for the last (month, day, time, reference) seen
let infMon = -1, infDay = -1, infH = -1, infMi = -1, infSe = -1, infRef = NaN, infYear = 0;
function inferYearMemo(mon: number, day: number, h: number, mi: number, se: number, refMs: number): number {
  if (se !== infSe || mi !== infMi || h !== infH || day !== infDay || mon !== infMon || refMs !== infRef) {
    infYear = inferYear(mon, day, h, mi, se, refMs);
    infMon = mon; infDay = day; infH = h; infMi = mi; infSe = se; infRef = refMs;
  }
  return infYear;
}

/**
 * Reads an optional zone token after a space at p (`UTC`, `CEST`, `UTC+1`, `+00:00`); returns [offsetMin, end].
 * Device stamps end with `:`, so a zone is only taken when a `:` (or the end of the line) follows it; this keeps
 * a relay header's hostname (`Nov 23 03:04:05 core ...`) from being read as a zone. Returns the offset and leaves
 * the end index in `zoneEnd`.
 */
function zoneAfter(s: string, p: number): number | undefined {
  if (s.charCodeAt(p) !== 32) return undefined;
  let q = p + 1;
  while (q < s.length) {
    const c = s.charCodeAt(q);
    if (c === 32 || (c === 58 && !isDigit(s.charCodeAt(q + 1)))) break;
    q++;
  }
  if (q === p + 1 || q - p > 11) return undefined;
  if (q < s.length && s.charCodeAt(q) !== 58) return undefined;
  // hot path: the zone token of the previous stamp is compared in place (no slice and map lookup per line)
  let off: number | undefined;
  if (q - p - 1 === lastZoneTok.length && s.startsWith(lastZoneTok, p + 1)) off = lastZoneOff;
  else {
    const tok = s.slice(p + 1, q);
    off = zoneOffset(tok);
    if (off !== undefined) { lastZoneTok = detach(tok); lastZoneOff = off; }
  }
  if (off === undefined) return undefined;
  zoneEnd = q;
  return off;
}
let lastZoneTok = '';
let lastZoneOff = 0;
let zoneEnd = 0;

/**
 * Month-first syslog stamp at p: `Mmm d[d] [YYYY] HH:MM:SS[.fff][ ZONE]`, optionally prefixed by `*` or `.`
 * (Cisco: clock not synchronized). `zoneOk` allows a zone token after the clock.
 */
export function scanMonthStamp(s: string, p: number, refMs: number, zoneOk = true): Stamp | undefined {
  return monthStampAt(s, p, refMs, zoneOk) ? copyStamp() : undefined;
}

/**
 * The stamp the *StampAt functions read last (hot path, bench/hunt round 6: the header scan reads them without a
 * Stamp object per stamp; 80 of the 1,555 bytes allocated per line). Valid until the next call of one of them.
 */
export const stampOut: Stamp = { ms: 0.5, end: 0, year: false, zone: false };

function copyStamp(): Stamp {
  return { ms: stampOut.ms, end: stampOut.end, year: stampOut.year, zone: stampOut.zone };
}

function setStamp(ms: number, end: number, year: boolean, zone: boolean): true {
  stampOut.ms = ms; stampOut.end = end; stampOut.year = year; stampOut.zone = zone;
  return true;
}

/** scanMonthStamp into stampOut; false when there is no stamp at p. */
export function monthStampAt(s: string, p: number, refMs: number, zoneOk = true): boolean {
  let c = s.charCodeAt(p);
  if (c === 42 || c === 46) { p++; c = s.charCodeAt(p); }
  const mon = monthAt(s, p);
  if (mon < 0 || s.charCodeAt(p + 3) !== 32) return false;
  let q = p + 4;
  if (s.charCodeAt(q) === 32) q++;
  let day: number;
  if (isDigit(s.charCodeAt(q)) && isDigit(s.charCodeAt(q + 1))) { day = digits(s, q, 2); q += 2; }
  else if (isDigit(s.charCodeAt(q))) { day = s.charCodeAt(q) - 48; q += 1; }
  else return false;
  if (s.charCodeAt(q) !== 32 || day < 1 || day > 31) return false;
  q++;
  let year = -1;
  if (isDigit(s.charCodeAt(q)) && isDigit(s.charCodeAt(q + 3)) && s.charCodeAt(q + 4) === 32 && isDigit(s.charCodeAt(q + 1)) && isDigit(s.charCodeAt(q + 2))) {
    year = digits(s, q, 4);
    q += 5;
  }
  q = clock(s, q);
  if (q < 0) return false;
  const h = ckH, mi = ckMi, se = ckSe, ms = ckMs;
  let off = 0, zone = false;
  if (zoneOk) {
    const z = zoneAfter(s, q);
    if (z !== undefined) { off = z; q = zoneEnd; zone = true; }
  }
  const y = year >= 0 ? year : inferYearMemo(mon, day, h, mi, se, refMs);
  const t = utcSecond(y, mon, day, h, mi, se) + ms - off * 60_000;
  return setStamp(t, q, year >= 0, zone);
}

/** NX-OS stamp `YYYY Mmm d[d] HH:MM:SS[.fff][ ZONE]` at p. */
export function scanYearFirstStamp(s: string, p: number): Stamp | undefined {
  return yearFirstStampAt(s, p) ? copyStamp() : undefined;
}

/** scanYearFirstStamp into stampOut; false when there is no stamp at p. */
export function yearFirstStampAt(s: string, p: number): boolean {
  const year = digits(s, p, 4);
  if (year < 1970 || s.charCodeAt(p + 4) !== 32) return false;
  const mon = monthAt(s, p + 5);
  if (mon < 0 || s.charCodeAt(p + 8) !== 32) return false;
  let q = p + 9;
  if (s.charCodeAt(q) === 32) q++;
  let day: number;
  if (isDigit(s.charCodeAt(q)) && isDigit(s.charCodeAt(q + 1))) { day = digits(s, q, 2); q += 2; }
  else if (isDigit(s.charCodeAt(q))) { day = s.charCodeAt(q) - 48; q += 1; }
  else return false;
  if (s.charCodeAt(q) !== 32) return false;
  q = clock(s, q + 1);
  if (q < 0) return false;
  let off = 0, zone = false;
  const ms = utcSecond(year, mon, day, ckH, ckMi, ckSe) + ckMs;
  const z = zoneAfter(s, q);
  if (z !== undefined) { off = z; q = zoneEnd; zone = true; }
  return setStamp(ms - off * 60_000, q, true, zone);
}

/**
 * ISO 8601 at p: `YYYY-MM-DD[T ]HH:MM:SS[.f...][Z|±HH[:]MM]`, also `YYYY-MM-DD HH:MM:SS.fff +00:00` (ISE)
 * and `YYYY-MM-DD HH:MM:SS +0000` (tac_plus-ng).
 */
export function scanIsoStamp(s: string, p: number): Stamp | undefined {
  return isoStampAt(s, p) ? copyStamp() : undefined;
}

/** scanIsoStamp into stampOut; false when there is no stamp at p. */
export function isoStampAt(s: string, p: number): boolean {
  const year = digits(s, p, 4);
  if (year < 1970 || s.charCodeAt(p + 4) !== 45) return false;
  const mon = digits(s, p + 5, 2);
  if (mon < 1 || mon > 12 || s.charCodeAt(p + 7) !== 45) return false;
  const day = digits(s, p + 8, 2);
  if (day < 1 || day > 31) return false;
  const sep = s.charCodeAt(p + 10);
  if (sep !== 84 && sep !== 32 && sep !== 116) return false;
  let q = clock(s, p + 11);
  if (q < 0) return false;
  const base = utcSecond(year, mon - 1, day, ckH, ckMi, ckSe) + ckMs;
  let off = 0, zone = false;
  const c = s.charCodeAt(q);
  if (c === 90 || c === 122) { q++; zone = true; }
  else if (c === 43 || c === 45) {
    const m = /^[+-]\d{2}(?::?\d{2})?/.exec(s.slice(q, q + 6));
    if (m) { off = signedOffset(m[0]) ?? 0; q += m[0].length; zone = true; }
  } else if (c === 32 && (s.charCodeAt(q + 1) === 43 || s.charCodeAt(q + 1) === 45)) {
    const m = /^[+-]\d{2}:?\d{2}(?=\s|$)/.exec(s.slice(q + 1, q + 8));
    if (m) { off = signedOffset(m[0]) ?? 0; q += 1 + m[0].length; zone = true; }
  }
  return setStamp(base - off * 60_000, q, true, zone);
}

/**
 * Parses a time value from a JSON event or an option: ISO 8601 (with or without zone; no zone means UTC),
 * epoch seconds or milliseconds (numbers or numeric strings; values above 1e11 are milliseconds), or a
 * syslog-style stamp. Returns epoch ms or undefined.
 */
export function parseTimeValue(v: unknown, refMs = Date.now()): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? (Math.abs(v) >= 1e11 ? Math.round(v) : Math.round(v * 1000)) : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (!t) return undefined;
  if (/^-?\d+(?:\.\d+)?$/.test(t)) return parseTimeValue(Number(t));
  const iso = scanIsoStamp(t, 0);
  if (iso && iso.end === t.length) return iso.ms;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return Date.UTC(Number(t.slice(0, 4)), Number(t.slice(5, 7)) - 1, Number(t.slice(8, 10)));
  const ms = scanMonthStamp(t, 0, refMs);
  if (ms && ms.end === t.length) return ms.ms;
  const yf = scanYearFirstStamp(t, 0);
  if (yf && yf.end === t.length) return yf.ms;
  const d = Date.parse(t);
  return Number.isNaN(d) ? undefined : d;
}
