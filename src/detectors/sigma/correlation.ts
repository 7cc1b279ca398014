/**
 * Correlation state (sigma-spec section 8): per correlation rule and group, the matches of the referenced
 * rules inside a sliding window of event time. Conditions that can only grow (gt/gte on counts, sums and
 * temporal sets) fire as soon as they hold; the others (lt, lte, eq, neq, averages, medians, percentiles) are
 * decided when the window closes. After a group fires, the events that made it fire are dropped (no repeats).
 */
import type { Event, SourceRef } from '../../model/event.js';
import type { FieldGetter } from './context.js';
import type { CorrelationRule, CmpOp } from './rules.js';
import { detach } from '../../util/detach.js';
import { isoFromMs, lastIsoMsOf } from '../../parsers/syslog/time.js';

export interface EventRef {
  time: string;
  rule: string;
  file?: string;
  line?: number;
}

export interface CorrelationFire {
  corr: CorrelationRule;
  /** Event time (ms) of the event that completed it (or the window end for window-close decisions). */
  time: number;
  group: Record<string, unknown>;
  windowStart: number;
  windowEnd: number;
  /** The count, distinct count or aggregate that met the condition. */
  value: number;
  events: EventRef[];
  source?: SourceRef;
  /** The event that completed it (undefined for window-close decisions). */
  last?: Event;
}

/** An entry of a snapshot (the state keeps entries in typed arrays; see CorrelationState). */
interface Entry {
  t: number;
  ref: number;
  v: unknown;
  src?: SourceRef;
  evTime: string;
}

/** A group of a snapshot, in the format of the object version (restore also reads snapshots of earlier versions). */
interface Group {
  /** The group's key: see groupKey. */
  key: unknown;
  values: unknown[];
  entries: Entry[];
  maxT: number;
  windowStart: number;
}

export interface CorrelationSnapshot {
  now: number | null;
  inserts: number;
  groups: Group[];
}

export interface CorrelationCounters {
  /** Matches left out because an event lacked a group-by field. */
  missingGroupField: number;
  /** value_* matches left out because the field was absent (or not a number). */
  missingValue: number;
  /** Matches without a usable event time. */
  missingTime: number;
}

const MAX_REFS = 50;

export function checkOps(ops: [CmpOp, number][], x: number): boolean {
  for (const [op, n] of ops) {
    switch (op) {
      case 'gt': if (!(x > n)) return false; break;
      case 'gte': if (!(x >= n)) return false; break;
      case 'lt': if (!(x < n)) return false; break;
      case 'lte': if (!(x <= n)) return false; break;
      case 'eq': if (x !== n) return false; break;
      case 'neq': if (x === n) return false; break;
    }
  }
  return true;
}

/** A value kept in a correlation window: strings detached from the input chunk they were cut from (util/detach). */
function own<T>(v: T): T {
  return (typeof v === 'string' ? detach(v) : v) as T;
}

const NO_FIRES: CorrelationFire[] = [];
Object.freeze(NO_FIRES);

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

/**
 * Map key of one group-by value: the value itself for primitives (a Map tells 1 from '1'), JSON behind a NUL
 * for objects (strings starting with NUL get a marker so they never meet an object's key).
 */
function keyOf1(v: unknown): unknown {
  if (typeof v === 'string') return v.charCodeAt(0) === 0 ? '\u0000S' + v : v;
  if (v !== null && typeof v === 'object') return '\u0000J' + JSON.stringify(v);
  return v;
}

/**
 * Map key of a group's values (the same key add() builds): one value as keyOf1; several plain strings (no NUL or
 * \u0001) joined by \u0001; anything else as JSON behind a NUL.
 */
export function groupKey(values: unknown[]): unknown {
  if (values.length === 0) return '';
  if (values.length === 1) return keyOf1(values[0]);
  if (values.every((v) => typeof v === 'string' && v.indexOf('\u0000') < 0 && v.indexOf('\u0001') < 0)) return values.join('\u0001');
  return '\u0000' + JSON.stringify(values);
}

/** Percentile with linear interpolation between closest ranks (numpy's default), p in 0..100. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** First capacity of a state's entry and group tables (they grow by doubling). */
const INITIAL_SLOTS = 64;
/** eFile: the entry has no source ref; the entry keeps its source ref object (eSrc). Else an index into `files`. */
const NO_SRC = -1;
const SRC_OBJECT = -2;

export class CorrelationState {
  private genNow = -Infinity;
  counters: CorrelationCounters = { missingGroupField: 0, missingValue: 0, missingTime: 0 };
  readonly monotone: boolean;
  private readonly ops: [CmpOp, number][];
  private inserts = 0;
  private now = -Infinity;
  private scratch: unknown[] = [];
  private readonly nGroupBy: number;

  // hot path (bench/hunt round 9): groups and their entries live in typed arrays indexed by id (entries as a
  // time-ordered list linked through eNext), not as a group object, a values array, an entries array and an
  // object per entry. Every insert's objects outlived several scavenges (windows span thousands of lines), so
  // each was copied twice and promoted: about 14% of the hunt's CPU (the scavenger's time halved without them).
  // Was: Group and Entry objects (still the snapshot format; see snapshot()). What remains on the heap per group is
  // its key string (and its values when the key cannot give them back); per entry nothing, unless it holds a value
  // (value_* types), a source ref object given by the caller, or an event time that is not isoFromMs of its ms.
  /** Per group id: first and last entry, entry count, newest event time, window start. */
  private gHead = new Int32Array(INITIAL_SLOTS);
  private gTail = new Int32Array(INITIAL_SLOTS);
  private gLen = new Int32Array(INITIAL_SLOTS);
  private gMaxT = new Float64Array(INITIAL_SLOTS);
  private gWin = new Float64Array(INITIAL_SLOTS);
  /** Per group id: its key (see groupKey), and its values when they cannot be read back from the key (valuesOf). */
  private gKey: unknown[] = [];
  private gVals: (unknown[] | undefined)[] = [];
  /** Group ids never used yet start here; freed ids are chained through gHead from gFree. */
  private gTop = 0;
  private gFree = -1;
  /** Per entry slot: event time (ms), referenced rule, next entry of its group (-1: last). */
  private eT = new Float64Array(INITIAL_SLOTS);
  private eRef = new Int32Array(INITIAL_SLOTS);
  private eNext = new Int32Array(INITIAL_SLOTS);
  /** Per entry slot: the source ref as a file (index into `files`) and line, or NO_SRC / SRC_OBJECT (see eSrc). */
  private eFile = new Int32Array(INITIAL_SLOTS);
  private eLine = new Float64Array(INITIAL_SLOTS);
  /** Per entry slot: value_* value; the event's ISO time when not isoFromMs(eT); a source ref kept as given. */
  private eV: unknown[] = [];
  private eIso: (string | undefined)[] = [];
  private eSrc: (SourceRef | undefined)[] = [];
  private eTop = 0;
  private eFree = -1;
  private files: string[] = [];
  private fileIds = new Map<string, number>();
  private lastFile: string | undefined;
  private lastFileId = -1;

  // hot path (bench/hunt round 9): open groups are found by their key in an open-addressing table of group ids
  // (linear probing over `slots`, the key's hash kept per group), not in two Maps (this generation's and the
  // previous one's). Most inserts make a new group (a login from a new source address), which took three probes
  // of Maps of up to 12,000 keys (two misses, then the set), each reading key strings scattered over the old
  // space: 70% of the inserts' remaining time. A miss here reads the slots and the hashes, not the keys.
  /** gid + 1 per slot; 0 empty, -1 deleted. Its length is a power of two, at most half of it in use. */
  private slots = new Int32Array(INITIAL_SLOTS);
  /** Slots not empty (groups and deleted marks). */
  private slotsUsed = 0;
  /** Per group id: the hash of its key, its slot, and its neighbours in its generation's list (-1: none). */
  private gHash = new Int32Array(INITIAL_SLOTS);
  private gSlot = new Int32Array(INITIAL_SLOTS);
  private gPrev = new Int32Array(INITIAL_SLOTS);
  private gNext = new Int32Array(INITIAL_SLOTS);
  /** Per group id: 1 while it is in the previous generation's list (monotone correlations; see rotate()). */
  private gOld = new Uint8Array(INITIAL_SLOTS);
  /**
   * The groups in the order two Maps kept them: this generation's (touched since the last rotation; every group
   * of a correlation decided at window close) by first touch, and the previous generation's. A group of the
   * previous one that is touched again moves to the end of this one (what `older.delete` and `groups.set` did).
   */
  private curHead = -1;
  private curTail = -1;
  private oldHead = -1;
  private oldTail = -1;

  /**
   * @param groupGetters per referenced rule (index in corr.rules): one getter per group-by field
   * @param valueGetters per referenced rule: getters of condition.field (value_* types), else empty
   */
  constructor(readonly corr: CorrelationRule, private groupGetters: FieldGetter[][], private valueGetters: FieldGetter[][]) {
    const n = corr.rules.length;
    this.ops = corr.ops.length ? corr.ops : [['gte', n]];
    const growing = corr.type === 'event_count' || corr.type === 'value_count' || corr.type === 'value_sum' || corr.type === 'temporal' || corr.type === 'temporal_ordered';
    this.monotone = growing && this.ops.every(([op]) => op === 'gt' || op === 'gte');
    this.nGroupBy = corr.groupBy.length;
    this.reset();
  }

  /**
   * This state is never fed: the engine decides with `primary` (a correlation with the same definition; see
   * SigmaEngine), whose counters it reports.
   */
  follow(primary: CorrelationState): void {
    this.counters = primary.counters;
  }

  /** Empties the tables (groups and entries), keeping their capacity. */
  private reset(): void {
    this.slots.fill(0);
    this.slotsUsed = 0;
    this.curHead = this.curTail = this.oldHead = this.oldTail = -1;
    this.gTop = 0;
    this.gFree = -1;
    this.eTop = 0;
    this.eFree = -1;
    this.gKey.fill(undefined);
    this.gVals.fill(undefined);
    this.eV.fill(undefined);
    this.eIso.fill(undefined);
    this.eSrc.fill(undefined);
  }

  private allocGroup(): number {
    let g = this.gFree;
    if (g !== -1) { this.gFree = this.gHead[g]; return g; }
    g = this.gTop++;
    if (g === this.gHead.length) {
      const n = g * 2;
      this.gHead = grownI32(this.gHead, n);
      this.gTail = grownI32(this.gTail, n);
      this.gLen = grownI32(this.gLen, n);
      this.gMaxT = grownF64(this.gMaxT, n);
      this.gWin = grownF64(this.gWin, n);
      this.gHash = grownI32(this.gHash, n);
      this.gSlot = grownI32(this.gSlot, n);
      this.gPrev = grownI32(this.gPrev, n);
      this.gNext = grownI32(this.gNext, n);
      const old = this.gOld;
      this.gOld = new Uint8Array(n);
      this.gOld.set(old);
    }
    if (g === this.gKey.length) { this.gKey.push(undefined); this.gVals.push(undefined); }
    return g;
  }

  /** The slot of `key` (hash h), else -(the slot to put it in) - 1. */
  private find(key: unknown, h: number): number {
    const slots = this.slots, mask = slots.length - 1;
    let i = h & mask;
    let free = -1;
    for (;;) {
      const x = slots[i];
      if (x === 0) return -(free === -1 ? i : free) - 1;
      if (x > 0) {
        const g = x - 1;
        if (this.gHash[g] === h) { const k = this.gKey[g]; if (k === key || (k !== k && key !== key)) return i; }
      } else if (free === -1) free = i;
      i = (i + 1) & mask;
    }
  }

  /** Puts group g (key hash h) into the table at `slot` (from find) and at the end of this generation's list. */
  private insertGroup(g: number, h: number, slot: number): void {
    if (this.slots[slot] === 0) this.slotsUsed++;
    this.slots[slot] = g + 1;
    this.gHash[g] = h;
    this.gSlot[g] = slot;
    this.gOld[g] = 0;
    this.append(g);
    if (this.slotsUsed * 2 > this.slots.length) this.rehash();
  }

  private append(g: number): void {
    this.gPrev[g] = this.curTail;
    this.gNext[g] = -1;
    if (this.curTail === -1) this.curHead = g;
    else this.gNext[this.curTail] = g;
    this.curTail = g;
  }

  /** Takes group g out of its generation's list. */
  private unlink(g: number): void {
    const p = this.gPrev[g], n = this.gNext[g];
    if (this.gOld[g]) {
      if (p === -1) this.oldHead = n; else this.gNext[p] = n;
      if (n === -1) this.oldTail = p; else this.gPrev[n] = p;
    } else {
      if (p === -1) this.curHead = n; else this.gNext[p] = n;
      if (n === -1) this.curTail = p; else this.gPrev[n] = p;
    }
  }

  /** Removes group g from the table and its list, and frees it. */
  private deleteGroup(g: number): void {
    this.slots[this.gSlot[g]] = -1;
    this.unlink(g);
    this.freeGroup(g);
  }

  /** Rebuilds the table from the groups in the lists (no deleted marks; room for twice as many groups). */
  private rehash(): void {
    let live = 0;
    for (let g = this.oldHead; g !== -1; g = this.gNext[g]) live++;
    for (let g = this.curHead; g !== -1; g = this.gNext[g]) live++;
    let size = INITIAL_SLOTS;
    while (size < live * 4) size *= 2;
    if (size !== this.slots.length) this.slots = new Int32Array(size);
    else this.slots.fill(0);
    const slots = this.slots, mask = size - 1;
    const put = (g: number) => {
      let i = this.gHash[g] & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = g + 1;
      this.gSlot[g] = i;
    };
    for (let g = this.oldHead; g !== -1; g = this.gNext[g]) put(g);
    for (let g = this.curHead; g !== -1; g = this.gNext[g]) put(g);
    this.slotsUsed = live;
  }

  /** Frees the entries of group g (its list fields are left for the caller to set). */
  private freeEntries(g: number): void {
    for (let s = this.gHead[g]; s !== -1;) { const nx = this.eNext[s]; this.freeEntry(s); s = nx; }
  }

  /** Frees a group and its entries. */
  private freeGroup(g: number): void {
    this.freeEntries(g);
    this.gKey[g] = undefined;
    this.gVals[g] = undefined;
    this.gHead[g] = this.gFree;
    this.gFree = g;
  }

  private allocEntry(): number {
    let s = this.eFree;
    if (s !== -1) { this.eFree = this.eNext[s]; return s; }
    s = this.eTop++;
    if (s === this.eT.length) {
      const n = s * 2;
      this.eT = grownF64(this.eT, n);
      this.eRef = grownI32(this.eRef, n);
      this.eNext = grownI32(this.eNext, n);
      this.eFile = grownI32(this.eFile, n);
      this.eLine = grownF64(this.eLine, n);
    }
    if (s === this.eV.length) { this.eV.push(undefined); this.eIso.push(undefined); this.eSrc.push(undefined); }
    return s;
  }

  private freeEntry(s: number): void {
    this.eV[s] = undefined;
    this.eIso[s] = undefined;
    this.eSrc[s] = undefined;
    this.eNext[s] = this.eFree;
    this.eFree = s;
  }

  /** Removes the first entry of group g. */
  private shift(g: number): void {
    const s = this.gHead[g];
    const nx = this.eNext[s];
    this.gHead[g] = nx;
    if (nx === -1) this.gTail[g] = -1;
    this.gLen[g]--;
    this.freeEntry(s);
  }

  /** Removes every entry of group g at or before `t` (what `entries.filter((x) => x.t > t)` kept). */
  private dropThrough(g: number, t: number): void {
    const eT = this.eT, eNext = this.eNext;
    let prev = -1;
    for (let s = this.gHead[g]; s !== -1;) {
      const nx = eNext[s];
      if (eT[s] <= t) {
        if (prev === -1) this.gHead[g] = nx;
        else eNext[prev] = nx;
        if (this.gTail[g] === s) this.gTail[g] = prev;
        this.gLen[g]--;
        this.freeEntry(s);
      } else prev = s;
      s = nx;
    }
  }

  /** The group-by values of group g: kept, or read back from its key (see add). */
  private valuesOf(g: number): unknown[] {
    const kept = this.gVals[g];
    if (kept !== undefined) return kept;
    const key = this.gKey[g];
    if (this.nGroupBy === 0) return [];
    if (this.nGroupBy === 1) return [key];
    return (key as string).split('\u0001');
  }

  private fileId(file: string): number {
    if (file === this.lastFile) return this.lastFileId;
    let id = this.fileIds.get(file);
    if (id === undefined) { id = this.files.length; this.files.push(file); this.fileIds.set(file, id); }
    this.lastFile = file;
    this.lastFileId = id;
    return id;
  }

  /** The source ref of entry s (as the caller gave it, or `{ file, line }` again). */
  private srcOf(s: number): SourceRef | undefined {
    const f = this.eFile[s];
    if (f === NO_SRC) return undefined;
    if (f === SRC_OBJECT) return this.eSrc[s];
    return { file: this.files[f], line: this.eLine[s] };
  }

  /** The ISO event time of entry s. */
  private isoAt(s: number): string {
    return this.eIso[s] ?? isoFromMs(this.eT[s]);
  }

  private valueOf(g: number, start: number, end: number): number {
    const c = this.corr;
    const eT = this.eT, eNext = this.eNext, eRef = this.eRef;
    const head = this.gHead[g];
    if (c.type === 'event_count') {
      // hot path (every add of a burst rule): count without building the window
      let k = 0;
      for (let s = head; s !== -1; s = eNext[s]) { const t = eT[s]; if (t >= start && t <= end) k++; }
      return k;
    }
    if (c.type === 'value_count') {
      // distinct values in the window; primitives are told apart by a Set as JSON would tell them apart
      // hot path (every add of a value_count rule): small windows are counted by comparison in a reused scratch
      // list, without a Set per event
      const xs = this.scratch;
      xs.length = 0;
      for (let s = head; s !== -1; s = eNext[s]) {
        const t = eT[s];
        if (t < start || t > end) continue;
        const v = this.eV[s];
        xs.push(v !== null && typeof v === 'object' ? '\u0000' + JSON.stringify(v) : v);
      }
      if (xs.length > 32) return new Set(xs).size;
      let k = 0;
      for (let i = 0; i < xs.length; i++) {
        let j = 0;
        const x = xs[i];
        while (j < i && !sameValueZero(xs[j], x)) j++;
        if (j === i) k++;
      }
      xs.length = 0;
      return k;
    }
    if (c.type === 'temporal' && c.rules.length <= 30) {
      // distinct referenced rules in the window, as a bit set (no Set or window array per event)
      let seen = 0, k = 0;
      for (let s = head; s !== -1; s = eNext[s]) {
        const t = eT[s];
        if (t < start || t > end) continue;
        const bit = 1 << eRef[s];
        if ((seen & bit) === 0) { seen |= bit; k++; }
      }
      return k;
    }
    if (c.type === 'temporal_ordered') {
      // how many referenced rules matched in order inside the window (entries are in time order)
      let pos = start, k = 0;
      for (let r = 0; r < c.rules.length; r++) {
        // the first entry of rule r at or after the previous one's time (same search as the general case below)
        let s = head;
        while (s !== -1 && !(eRef[s] === r && eT[s] >= pos && eT[s] >= start && eT[s] <= end)) s = eNext[s];
        if (s === -1) break;
        pos = eT[s];
        k++;
      }
      return k;
    }
    const win: number[] = [];
    for (let s = head; s !== -1; s = eNext[s]) if (eT[s] >= start && eT[s] <= end) win.push(s);
    switch (c.type) {
      case 'temporal': return new Set(win.map((s) => eRef[s])).size;
      default: {
        const xs = win.map((s) => this.eV[s] as number);
        if (!xs.length) return NaN;
        if (c.type === 'value_sum') return xs.reduce((a, b) => a + b, 0);
        if (c.type === 'value_avg') return xs.reduce((a, b) => a + b, 0) / xs.length;
        const sorted = xs.slice().sort((a, b) => a - b);
        return percentile(sorted, c.type === 'value_median' ? 50 : (c.percentile ?? 50));
      }
    }
  }

  private fire(g: number, start: number, end: number, value: number, last?: Event): CorrelationFire {
    const eT = this.eT, eNext = this.eNext;
    // the entries inside [start, end], in time order: the first, the last, and how many
    let first = -1, lastS = -1, n = 0;
    for (let s = this.gHead[g]; s !== -1; s = eNext[s]) if (eT[s] >= start && eT[s] <= end) { if (first === -1) first = s; lastS = s; n++; }
    const events: EventRef[] = [];
    // the last MAX_REFS of them, as `inWin.slice(-MAX_REFS)` took them
    let skip = n > MAX_REFS ? n - MAX_REFS : 0;
    for (let s = first; s !== -1; s = eNext[s]) {
      if (eT[s] < start || eT[s] > end) continue;
      if (skip > 0) { skip--; continue; }
      const f = this.eFile[s];
      let file: string | undefined, line: number | undefined;
      if (f === SRC_OBJECT) { const src = this.eSrc[s]; file = src?.file; line = src?.line; }
      else if (f !== NO_SRC) { file = this.files[f]; line = this.eLine[s]; }
      events.push({ time: this.isoAt(s), rule: this.corr.rules[this.eRef[s]], file, line });
    }
    const group: Record<string, unknown> = {};
    const values = this.valuesOf(g);
    this.corr.groupBy.forEach((f, i) => { group[f] = values[i]; });
    return {
      corr: this.corr,
      time: lastS !== -1 ? eT[lastS] : end,
      group,
      windowStart: first !== -1 ? eT[first] : start,
      windowEnd: lastS !== -1 ? eT[lastS] : end,
      value,
      events,
      source: lastS !== -1 ? this.srcOf(lastS) : undefined,
      last,
    };
  }

  /**
   * A match of referenced rule `ref` on `ev` at time `t` (ms). Returns fires decided now. The event's source ref
   * is `src`, or when that is undefined and `file` is given, `{ file, line }` (made only if a fire needs it).
   */
  add(ref: number, ev: Event, t: number | undefined, evTime: string, src?: SourceRef, file?: string, line?: number): CorrelationFire[] {
    if (t === undefined || !Number.isFinite(t)) { this.counters.missingTime++; return NO_FIRES; }
    // hot path (every match of a helper rule; 20% of the lines of bench/hunt): the group is looked up by a key
    // built from the group-by values without an array or JSON per event; the values are copied (own) only when
    // a new group is created. Was: values array + JSON.stringify key + splice per event, 8% of the profile.
    const gg = this.groupGetters[ref];
    let key: unknown = '';
    let v0: unknown;
    if (gg.length === 1) {
      v0 = gg[0](ev);
      if (v0 === undefined || v0 === null || v0 === '') { this.counters.missingGroupField++; return NO_FIRES; }
      key = keyOf1(v0);
    } else if (gg.length > 1) {
      let k = '';
      let plain = true;
      for (let i = 0; i < gg.length; i++) {
        const v = gg[i](ev);
        if (v === undefined || v === null || v === '') { this.counters.missingGroupField++; return NO_FIRES; }
        if (plain && typeof v === 'string' && v.indexOf('\u0000') < 0 && v.indexOf('\u0001') < 0) k = i === 0 ? v : k + '\u0001' + v;
        else plain = false;
      }
      key = plain ? k : '\u0000' + JSON.stringify(gg.map((g) => g(ev)));
    }
    let v: unknown;
    const vg = this.valueGetters[ref];
    if (vg.length) {
      const vals = vg.map((g) => g(ev));
      if (vals.some((x) => x === undefined || x === null)) { this.counters.missingValue++; return NO_FIRES; }
      if (this.corr.type === 'value_count') v = vals.length === 1 ? own(vals[0]) : vals.map(own);
      else {
        const n = typeof vals[0] === 'number' ? vals[0] : Number(vals[0]);
        if (!Number.isFinite(n)) { this.counters.missingValue++; return NO_FIRES; }
        v = n;
      }
    }
    let out: CorrelationFire[] | undefined;
    if (t > this.now) {
      this.now = t;
      if (!this.monotone) { const c = this.closeWindows(t); if (c.length) out = c; }
    }
    const h = hashKey(key);
    const slot = this.find(key, h);
    let g: number | undefined;
    if (slot >= 0) {
      g = this.slots[slot] - 1;
      // a group of the previous generation touched again moves to this one
      if (this.gOld[g]) { this.unlink(g); this.gOld[g] = 0; this.append(g); }
    }
    const s = this.allocEntry();
    this.eT[s] = t;
    this.eRef[s] = ref;
    this.eNext[s] = -1;
    if (v !== undefined) this.eV[s] = v;
    // the ISO time is kept only when it is not what isoFromMs(t) gives back (the parser made it from t just now)
    if (lastIsoMsOf(evTime) !== t) this.eIso[s] = evTime;
    if (src !== undefined) { this.eFile[s] = SRC_OBJECT; this.eSrc[s] = src; }
    else if (file !== undefined) { this.eFile[s] = this.fileId(file); this.eLine[s] = line as number; }
    else this.eFile[s] = NO_SRC;
    if (g === undefined) {
      // one copy of a single group-by value serves as key and value; values are kept beside the key only when
      // they cannot be read back from it (valuesOf: a key that is not a NUL-marked form)
      let gkey: unknown;
      let values: unknown[] | undefined;
      if (gg.length === 1) {
        const o = own(v0);
        gkey = keyOf1(o);
        if (typeof gkey === 'string' && gkey.charCodeAt(0) === 0) values = [o];
      } else {
        gkey = own(key);
        if (gg.length !== 0 && (typeof gkey !== 'string' || gkey.charCodeAt(0) === 0)) values = gg.map((x) => own(x(ev)));
      }
      if (values === undefined && gg.length !== this.nGroupBy) values = gg.map((x) => own(x(ev)));
      g = this.allocGroup();
      this.gHead[g] = s;
      this.gTail[g] = s;
      this.gLen[g] = 1;
      this.gMaxT[g] = t;
      this.gWin[g] = t;
      this.gKey[g] = gkey;
      if (values !== undefined) this.gVals[g] = values;
      this.insertGroup(g, h, -slot - 1);
    } else {
      // insert keeping time order, after the entries at or before t (inputs are mostly ordered: append)
      const tail = this.gTail[g];
      if (tail === -1) { this.gHead[g] = s; this.gTail[g] = s; }
      else if (this.eT[tail] <= t) { this.eNext[tail] = s; this.gTail[g] = s; }
      else {
        let prev = -1;
        for (let x = this.gHead[g]; x !== -1 && this.eT[x] <= t; x = this.eNext[x]) prev = x;
        if (prev === -1) { this.eNext[s] = this.gHead[g]; this.gHead[g] = s; }
        else { this.eNext[s] = this.eNext[prev]; this.eNext[prev] = s; }
      }
      this.gLen[g]++;
      if (t > this.gMaxT[g]) this.gMaxT[g] = t;
    }
    const span = this.corr.timespanMs;
    if (this.monotone) {
      // sliding window ending at this event
      const from = this.gMaxT[g] - span;
      while (this.gLen[g] !== 0 && this.eT[this.gHead[g]] < from) this.shift(g);
      const start = t - span;
      const val = this.valueOf(g, start, t);
      if (checkOps(this.ops, val)) {
        (out ??= []).push(this.fire(g, start, t, val, ev));
        this.dropThrough(g, t);
      }
    } else if (this.gLen[g] === 1) this.gWin[g] = this.eT[this.gHead[g]];
    ++this.inserts;
    if (this.monotone && this.now > this.genNow + span) this.rotate();
    return out ?? NO_FIRES;
  }

  /** Closes windows that ended before `now` (event clock); returns their decisions. */
  closeWindows(now: number): CorrelationFire[] {
    if (this.monotone) return [];
    const out: CorrelationFire[] = [];
    const span = this.corr.timespanMs;
    for (let g = this.curHead; g !== -1;) {
      const next = this.gNext[g];
      while (this.gLen[g] !== 0 && now > this.gWin[g] + span) {
        const start = this.gWin[g];
        const end = start + span;
        const val = this.valueOf(g, start, end);
        if (!Number.isNaN(val) && checkOps(this.ops, val)) out.push(this.fire(g, start, end, val));
        this.dropThrough(g, end);
        if (this.gLen[g] !== 0) this.gWin[g] = this.eT[this.gHead[g]];
      }
      if (this.gLen[g] === 0) this.deleteGroup(g);
      g = next;
    }
    return out;
  }

  /** End of input: decide every open window. */
  flush(): CorrelationFire[] {
    if (this.monotone) { this.reset(); return []; }
    const out = this.closeWindows(Infinity);
    this.reset();
    return out;
  }

  /** Group g as the snapshot format keeps it (the objects the state held before round 9). */
  private groupAsJson(g: number): Group {
    const entries: Entry[] = [];
    for (let s = this.gHead[g]; s !== -1; s = this.eNext[s]) {
      entries.push({ t: this.eT[s], ref: this.eRef[s], v: this.eV[s], src: this.srcOf(s), evTime: this.isoAt(s) });
    }
    return { key: this.gKey[g], values: this.valuesOf(g), entries, maxT: this.gMaxT[g], windowStart: this.gWin[g] };
  }

  /** The open windows as JSON (scale-out: a partition's state moves with it to another detector process). */
  snapshot(): CorrelationSnapshot {
    const groups: Group[] = [];
    for (let g = this.oldHead; g !== -1; g = this.gNext[g]) groups.push(this.groupAsJson(g));
    for (let g = this.curHead; g !== -1; g = this.gNext[g]) groups.push(this.groupAsJson(g));
    return { now: Number.isFinite(this.now) ? this.now : null, inserts: this.inserts, groups };
  }

  restore(s: CorrelationSnapshot): void {
    this.now = s.now ?? -Infinity;
    this.inserts = s.inserts;
    this.reset();
    this.genNow = this.now;
    // the key is rebuilt from the values (snapshots of earlier versions keyed groups by JSON)
    for (const sg of s.groups) {
      const key = groupKey(sg.values);
      const h = hashKey(key);
      const slot = this.find(key, h);
      let g: number;
      if (slot >= 0) {
        // a key saved twice: the later group replaces the earlier in its place (as Map.set did)
        g = this.slots[slot] - 1;
        this.freeEntries(g);
      } else {
        g = this.allocGroup();
        this.gKey[g] = key;
        this.insertGroup(g, h, -slot - 1);
      }
      this.gVals[g] = sg.values;
      this.gMaxT[g] = sg.maxT;
      this.gWin[g] = sg.windowStart;
      this.gHead[g] = -1;
      this.gTail[g] = -1;
      this.gLen[g] = 0;
      // entries in the order saved (time order)
      for (const e of sg.entries) {
        const x = this.allocEntry();
        this.eT[x] = e.t;
        this.eRef[x] = e.ref;
        this.eNext[x] = -1;
        this.eV[x] = e.v;
        this.eIso[x] = e.evTime;
        if (e.src !== undefined) { this.eFile[x] = SRC_OBJECT; this.eSrc[x] = e.src; }
        else this.eFile[x] = NO_SRC;
        if (this.gTail[g] === -1) this.gHead[g] = x;
        else this.eNext[this.gTail[g]] = x;
        this.gTail[g] = x;
        this.gLen[g]++;
      }
    }
  }

  /**
   * hot path (monotone correlations): groups age out by generation. Groups not touched since the previous rotation
   * (their newest event is more than a timespan old, so they hold nothing a later event could count) are dropped
   * with their whole map (their ids and entries freed). Was: deleting stale groups one by one every 10,000 inserts,
   * and V8 Maps with that much delete churn cost about 1 us per lookup (bench/hunt groups by random source
   * addresses).
   */
  private rotate(): void {
    for (let g = this.oldHead; g !== -1;) { const nx = this.gNext[g]; this.freeGroup(g); g = nx; }
    for (let g = this.curHead; g !== -1; g = this.gNext[g]) this.gOld[g] = 1;
    this.oldHead = this.curHead;
    this.oldTail = this.curTail;
    this.curHead = this.curTail = -1;
    // the dropped groups' slots are emptied by building the table again from the groups kept
    this.rehash();
    this.genNow = this.now;
  }
}

/**
 * A 32-bit hash of a group key (FNV-1a over the UTF-16 code units, then murmur3's finalizer: the table takes the
 * low bits). Keys that are not strings are hashed by a text that no string key has (string keys never start
 * with a NUL: keyOf1 and groupKey mark those); equal keys (SameValueZero: NaN, 0 and -0) hash alike.
 */
export function hashKey(key: unknown): number {
  const s = typeof key === 'string' ? key : '\u0000' + typeof key + '\u0000' + (key === 0 ? '0' : String(key));
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function grownI32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function grownF64(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
