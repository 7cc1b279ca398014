/**
 * Syslog header scanner for RFC 3164 lines and the Cisco-style variants devices and relays produce:
 *
 *   <PRI>SEQ: HOST: *Mmm dd [YYYY] HH:MM:SS.fff ZONE: %FAC-SEV-MNEMONIC: text      (IOS / IOS XE)
 *   Mmm dd HH:MM:SS RELAYHOST SEQ: Mmm dd HH:MM:SS.fff: %FAC-SEV-MNEMONIC: text    (relay header in front)
 *   <PRI>Mmm dd HH:MM:SS HOST RP/0/RP0/CPU0:Mmm dd HH:MM:SS.fff UTC: proc[pid]: %A-B-6-C : text  (IOS XR)
 *   <PRI>HOST: YYYY Mmm dd HH:MM:SS ZONE: %FAC-SEV-MNEMONIC: text                   (NX-OS)
 *   Mmm dd HH:MM:SS HOST program[pid]: text                                         (Linux, Junos, EOS agents)
 *
 * It walks the line once, token by token, without regular expressions (hot path), and stops where the
 * message (a `%` mnemonic, a program tag's text, or plain text) begins.
 */
import { isoStampAt, monthStampAt, yearFirstStampAt, stampOut, zoneOffset } from './time.js';
import { detach } from '../../util/detach.js';

export interface Header {
  pri?: number;
  /** Epoch ms of the innermost (device) stamp, else the relay's. */
  ms?: number;
  /** The stamp had a year (or was ISO). */
  hasYear: boolean;
  /** A device stamp in NX-OS form `YYYY Mmm dd`. */
  yearFirst: boolean;
  /** Host named by the device itself (`host: ` before its stamp), else the relay header's host. */
  host?: string;
  seq?: number;
  /** IOS XR node (`RP/0/RP0/CPU0`). */
  node?: string;
  program?: string;
  pid?: number;
  /** Index where the message part begins. */
  body: number;
  /** Number of stamps seen (2 = a relay header in front of the device's own). */
  stamps: number;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHostChar(c: number): boolean {
  // letters, digits, - . _ and : is handled by the caller
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95;
}

/** End index of a run of host characters starting at p. */
function hostEnd(s: string, p: number): number {
  let q = p;
  while (q < s.length && isHostChar(s.charCodeAt(q))) q++;
  return q;
}

// the value of the digits seqAt read last (exact: at most 12 digits)
let seqVal = 0;

/**
 * `digits:` at p (a Cisco sequence number); returns end after the colon or -1, and leaves the number in seqVal.
 * hot path (bench/hunt round 9): the value is read in the same walk (was: a second walk over the digits).
 */
function seqAt(s: string, p: number): number {
  let q = p, v = 0;
  for (;;) {
    const c = s.charCodeAt(q);
    if (!isDigit(c)) break;
    v = v * 10 + (c - 48);
    q++;
  }
  if (q === p || q - p > 12 || s.charCodeAt(q) !== 58) return -1;
  seqVal = v;
  const n = s.charCodeAt(q + 1);
  if (q + 1 < s.length && n !== 32) return -1;
  return q + 1;
}

/** IOS XR node prefix like `RP/0/RP0/CPU0:` or `LC/0/0/CPU0:` or `0/RSP0/CPU0:` at p; returns end after ':' or -1. */
function xrNodeAt(s: string, p: number): number {
  let q = p, slashes = 0;
  while (q < s.length) {
    const c = s.charCodeAt(q);
    if (c === 47) slashes++;
    else if (!((c >= 65 && c <= 90) || isDigit(c))) break;
    q++;
  }
  if (slashes < 2 || s.charCodeAt(q) !== 58) return -1;
  const seg = s.slice(p, q);
  if (!/CPU\d+$/.test(seg)) return -1;
  return q + 1;
}

/** A program name as programAt returns it, with what the header scan asks about it computed once. */
interface ProgramName {
  name: string;
  /** Taken as a program tag by the header scan: not a bare number, not a Cisco message id without '%' ("CEF-HWIDB: ..."). */
  headerTag: boolean;
}
const programNames = new Map<string, ProgramName>();

// hot path (bench/hunt round 6): programTagAt leaves its results here instead of returning an array per tag
let ptName: ProgramName = { name: '', headerTag: false };
let ptPid: number | undefined;

/** Program tag `name[pid]:` or `name:` at p, followed by a space; returns [name, pid, end] or undefined. */
export function programAt(s: string, p: number): [string, number | undefined, number] | undefined {
  const end = programTagAt(s, p);
  return end < 0 ? undefined : [ptName.name, ptPid, end];
}

/** programAt into ptName / ptPid; returns the end index, or -1. */
function programTagAt(s: string, p: number): number {
  let q = p;
  const c0 = s.charCodeAt(q);
  if (!((c0 >= 97 && c0 <= 122) || (c0 >= 65 && c0 <= 90) || c0 === 95 || c0 === 47)) return -1;
  while (q < s.length) {
    const c = s.charCodeAt(q);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95 || c === 45 || c === 46 || c === 47 || c === 64) q++;
    else break;
  }
  if (q - p > 48) return -1;
  // hot path: program names repeat; the shared copy carries a cached hash for the lookups that follow (routing,
  // program sets) and does not keep the input chunk alive
  const slice = s.slice(p, q);
  let known = programNames.get(slice);
  if (known === undefined) {
    const name = detach(slice);
    known = { name, headerTag: !/^\d+$/.test(name) && !/^[A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)+$/.test(name) };
    if (programNames.size > 20000) programNames.clear();
    programNames.set(name, known);
  }
  let pid: number | undefined;
  if (s.charCodeAt(q) === 91) {
    let r = q + 1, v = 0;
    while (isDigit(s.charCodeAt(r))) { v = v * 10 + (s.charCodeAt(r) - 48); r++; }
    if (s.charCodeAt(r) !== 93 || r === q + 1) return -1;
    pid = v;
    q = r + 1;
  }
  if (s.charCodeAt(q) !== 58) return -1;
  q++;
  if (q < s.length && s.charCodeAt(q) !== 32) return -1;
  ptName = known;
  ptPid = pid;
  return q;
}

// hot path: stampAt() tells the NX-OS form through this flag instead of wrapping the stamp in another object
let stampYearFirst = false;

/** A stamp at p, left in stampOut (hot path, bench/hunt round 6: no Stamp object per stamp); false if none. */
function stampAt(s: string, p: number, refMs: number): boolean {
  const c = s.charCodeAt(p);
  stampYearFirst = false;
  if (isDigit(c)) {
    if (s.charCodeAt(p + 4) === 45) return isoStampAt(s, p);
    const yf = yearFirstStampAt(s, p);
    if (yf) stampYearFirst = true;
    return yf;
  }
  return monthStampAt(s, p, refMs);
}

/** An empty header for scanHeaderInto. */
export function newHeader(): Header {
  // hot path (bench/hunt round 5): every field present from the start, in one object shape (fields added one by one
  // made V8 grow an out-of-object property array and change the object's map several times per line)
  return { pri: undefined, ms: undefined, hasYear: false, yearFirst: false, host: undefined, seq: undefined, node: undefined, program: undefined, pid: undefined, body: 0, stamps: 0 };
}

/**
 * Scans the header into `h` (every field is set). Never throws; `body` is where the message starts (0 when nothing
 * header-like was found). hot path (bench/hunt round 6): the syslog parser passes the same object (newHeader) for
 * every line (the header object was about 110 of the 1,555 bytes allocated per line).
 */
export function scanHeaderInto(s: string, refMs: number, h: Header): Header {
  h.pri = undefined; h.ms = undefined; h.hasYear = false; h.yearFirst = false; h.host = undefined; h.seq = undefined;
  h.node = undefined; h.program = undefined; h.pid = undefined; h.body = 0; h.stamps = 0;
  let p = 0;
  const n = s.length;
  if (s.charCodeAt(0) === 60) {
    let q = 1, v = 0;
    while (q < 5 && isDigit(s.charCodeAt(q))) { v = v * 10 + (s.charCodeAt(q) - 48); q++; }
    if (q > 1 && s.charCodeAt(q) === 62 && v <= 191) { h.pri = v; p = q + 1; }
  }
  let sawStampSinceHost = false; // a relay stamp waits for its host
  let deviceHost: string | undefined;
  let relayHost: string | undefined;
  // hot path: the stamp read ahead after "host: " is used when the loop gets there (it was parsed twice)
  let aheadMs = 0, aheadEnd = 0, aheadYear = false;
  let aheadAt = -1;
  let aheadYearFirst = false;
  for (let guard = 0; guard < 12 && p < n; guard++) {
    const c = s.charCodeAt(p);
    if (c === 32) { p++; continue; }
    if (c === 37) break; // %MNEMONIC
    if (c === 58 && (p + 1 >= n || s.charCodeAt(p + 1) === 32)) { p += 1; continue; } // "<189>: " empty seq / "host : "
    // timestamps
    let st = false;
    let stMs = 0, stEnd = 0, stYear = false;
    let yearFirst = false;
    let seqEnd = -1;
    if (p === aheadAt) { st = true; stMs = aheadMs; stEnd = aheadEnd; stYear = aheadYear; yearFirst = aheadYearFirst; aheadAt = -1; } // already read after "host: "
    // hot path (bench/hunt round 9): a sequence number is tried before a stamp (was: after stampAt failed on it). No
    // stamp can begin at a run of digits that ends in ": " (an ISO stamp needs '-' and an NX-OS one ' ' after four
    // digits), so the order does not change what is found.
    else if (isDigit(c) && (seqEnd = seqAt(s, p)) > 0) { /* below */ }
    else if ((isDigit(c) || c === 42 || c === 46 || (c | 0x20) >= 97 && (c | 0x20) <= 122) && stampAt(s, p, refMs)) {
      st = true; stMs = stampOut.ms; stEnd = stampOut.end; stYear = stampOut.year; yearFirst = stampYearFirst;
    }
    if (st) {
      h.ms = stMs; h.hasYear = stYear; h.yearFirst = yearFirst; h.stamps++;
      p = stEnd;
      if (s.charCodeAt(p) === 58) { p++; sawStampSinceHost = false; } // device stamp "...: "
      else sawStampSinceHost = true; // relay stamp: a host follows
      continue;
    }
    if (seqEnd > 0) {
      // hot path (bench/hunt round 5): the digits read in place (Number of a slice was a sixth of this scan)
      if (h.seq === undefined) h.seq = seqVal;
      p = seqEnd; sawStampSinceHost = false;
      continue;
    }
    // XR node "RP/0/RP0/CPU0:" directly followed by a stamp
    if (c === 82 || c === 76 || isDigit(c)) {
      const e = xrNodeAt(s, p);
      if (e > 0) { h.node = s.slice(p, e - 1); p = e; continue; }
    }
    // host-like token
    const he = hostEnd(s, p);
    if (he > p) {
      const next = s.charCodeAt(he);
      if (sawStampSinceHost && (next === 32 || he === n)) {
        // RFC 3164 HOSTNAME after the relay stamp
        relayHost = s.slice(p, he);
        sawStampSinceHost = false;
        p = he;
        // "10.100.0.33 : 2023 May ..." (NX-OS relay form)
        continue;
      }
      if (next === 58 && (he + 1 >= n || s.charCodeAt(he + 1) === 32)) {
        // "word: " - a device hostname when a stamp, sequence number or another header part follows; else stop
        let r = he + 1;
        while (s.charCodeAt(r) === 32) r++;
        const tok = s.slice(p, he);
        const after = s.charCodeAt(r);
        // "AEST: %..." (hot path: the zone table is consulted only for an upper-case word before a '%', not for
        // every device hostname)
        if (after === 37 && /^[A-Z]{2,5}$/.test(tok) && zoneOffset(tok) !== undefined) { p = r; continue; }
        if (isDigit(after) && s.charCodeAt(r + 4) === 45 && isoStampAt(s, r)) {
          // "junos-flow: 2017-09-23T13:54:54.803Z host APP ..." - a relay's program tag before an RFC 5424 body
          h.program = tok;
          p = r;
          break;
        }
        const la = stampAt(s, r, refMs);
        if (la) { aheadMs = stampOut.ms; aheadEnd = stampOut.end; aheadYear = stampOut.year; aheadAt = r; aheadYearFirst = stampYearFirst; }
        if (la || (isDigit(after) && seqAt(s, r) > 0) || (after === 37 && h.stamps === 0 && !h.program && looksLikeHost(tok))) {
          deviceHost = tok;
          p = r;
          continue;
        }
      }
    }
    break;
  }
  // program tag (Linux daemons, Junos processes, EOS agents, IOS XR processes) before the text or a %mnemonic
  if (p < n && s.charCodeAt(p) !== 37 && h.program === undefined) {
    const end = programTagAt(s, p);
    // not a bare number, and not a Cisco message id without '%' ("CEF-HWIDB: "); hot path (bench/hunt round 6):
    // both tests once per distinct name (two regular expressions per line before)
    if (end >= 0 && ptName.headerTag) {
      h.program = ptName.name;
      h.pid = ptPid;
      p = end;
      while (s.charCodeAt(p) === 32) p++;
    }
  }
  h.host = deviceHost ?? relayHost;
  h.body = p;
  return h;
}

function looksLikeHost(tok: string): boolean {
  // a device hostname before a %mnemonic without a stamp ("sw1: %LINK-..."); reject mnemonic-like words
  return /[a-z0-9]/.test(tok) && !/^[A-Z0-9_]+-[A-Z0-9_]+$/.test(tok);
}
