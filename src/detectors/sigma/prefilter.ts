/**
 * Aho-Corasick automaton over the rules' literal strings (ASCII, case-folded). One pass over the raw line
 * finds every literal it contains, so rules whose literals are absent are never evaluated. Hot path: a dense
 * transition table over a compressed alphabet (16-bit states when they fit), no allocation per line.
 */
export class LiteralScanner implements Scanner {
  readonly literals: string[];
  /** Columns of the transition table: the character classes (see the constructor's `delta`). */
  private width: number;
  /**
   * The scan's table (hot path, bench/hunt round 7): the constructor's `delta` with every target premultiplied by the width (no
   * multiplication in the chain of dependent loads, one per character) and states that end literals stored as
   * `-(state * width) - 1` (no second table load per character to ask for outputs). 13 to 24% less time per
   * command line than `delta[s * width + cls[c]]` with an `outCount[s]` test, in one process over the bench's lines
   * routed to the automaton; twice the memory (1.4 MB for the bench's 387 literals).
   */
  private next: Int32Array;
  /** ASCII code (case-folded) -> character class. */
  private cls: Uint8Array;
  /** For each state: start and count into `outs` of the literal ids ending there (via failure links too). */
  private outStart: Int32Array;
  private outCount: Int32Array;
  private outs: Int32Array;
  /** Per literal: the scan epoch in which it was last seen. */
  readonly seen: Int32Array;
  epoch = 0;
  /**
   * The ids of the literals the last scan (this automaton's or a SkipScanner's on it) found, in the order found
   * and with repeats: the first min(hits, HIT_CAP) of them.
   */
  readonly hitIds = new Int32Array(HIT_CAP);

  constructor(literals: string[]) {
    this.literals = literals;
    // character classes: 0 for characters in no literal, 1.. for the others (upper case folded onto lower)
    const cls = new Uint8Array(128);
    let width = 1;
    for (const lit of literals) {
      for (let i = 0; i < lit.length; i++) {
        let c = lit.charCodeAt(i);
        if (c >= 128) throw new Error(`non-ASCII literal: ${lit}`);
        if (c >= 65 && c <= 90) c += 32;
        if (cls[c] === 0) cls[c] = width++;
      }
    }
    for (let c = 65; c <= 90; c++) cls[c] = cls[c + 32];
    this.cls = cls;
    this.width = width;
    const goto: Int32Array[] = [new Int32Array(width).fill(-1)];
    const outSets: number[][] = [[]];
    literals.forEach((lit, id) => {
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        const k = cls[lit.charCodeAt(i)];
        let nx = goto[s][k];
        if (nx < 0) {
          nx = goto.length;
          goto.push(new Int32Array(width).fill(-1));
          outSets.push([]);
          goto[s][k] = nx;
        }
        s = nx;
      }
      outSets[s].push(id);
    });
    const n = goto.length;
    const fail = new Int32Array(n);
    // transitions over a compressed alphabet: `delta[state * width + cls[c]]`. Only the characters that occur in
    // some literal get a class of their own (everything else is class 0), so the table stays small enough for the
    // CPU caches (a 128-column table over thousands of states missed them on every character)
    const delta = n < 65536 ? new Uint16Array(n * width) : new Int32Array(n * width);
    const queue: number[] = [];
    for (let k = 0; k < width; k++) {
      const nx = k === 0 ? -1 : goto[0][k];
      if (nx < 0) delta[k] = 0;
      else { delta[k] = nx; fail[nx] = 0; queue.push(nx); }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      outSets[s].push(...outSets[fail[s]]);
      for (let k = 0; k < width; k++) {
        const nx = k === 0 ? -1 : goto[s][k];
        if (nx < 0) delta[s * width + k] = delta[fail[s] * width + k];
        else {
          delta[s * width + k] = nx;
          fail[nx] = delta[fail[s] * width + k];
          queue.push(nx);
        }
      }
    }
    const next = new Int32Array(n * width);
    for (let i = 0; i < next.length; i++) {
      const t = delta[i];
      next[i] = outSets[t].length ? -(t * width) - 1 : t * width;
    }
    this.next = next;
    this.outStart = new Int32Array(n);
    this.outCount = new Int32Array(n);
    const flat: number[] = [];
    for (let s = 0; s < n; s++) {
      const u = [...new Set(outSets[s])];
      this.outStart[s] = flat.length;
      this.outCount[s] = u.length;
      flat.push(...u);
    }
    this.outs = Int32Array.from(flat);
    this.seen = new Int32Array(literals.length).fill(-1);
  }

  /** Scans a text; afterwards `seen[id] === epoch` for every literal found. Returns how many hits were recorded. */
  scan(text: string): number {
    const e = ++this.epoch;
    const next = this.next, cls = this.cls, w = this.width, oc = this.outCount, os = this.outStart, outs = this.outs, seen = this.seen, hitIds = this.hitIds;
    // s: the current state times the width
    let s = 0, hits = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      // non-ASCII characters are in no literal: back to the root
      let t = c < 128 ? next[s + cls[c]] : 0;
      if (t < 0) {
        // a state where literals end
        t = -t - 1;
        const st = t / w;
        const k = oc[st], o = os[st];
        for (let j = 0; j < k; j++) {
          const id = outs[o + j];
          seen[id] = e;
          if (hits < HIT_CAP) hitIds[hits] = id;
          hits++;
        }
      }
      s = t;
    }
    return hits;
  }
}

/** How many found literal ids a scan records in `hitIds` (lines with more are checked rule by rule). */
export const HIT_CAP = 64;

/** What the engine scans a raw line with: marks `seen[id] = epoch` for the literals found, returns the hit count. */
export interface Scanner {
  scan(text: string): number;
}

/**
 * Every UTF-16 code unit folded as SkipScanner compares them: A-Z to a-z, other ASCII as is, the rest to 0. hot path
 * (bench/hunt round 7): one table load per character instead of three tests; 20 to 23% less time per line on the
 * bench's lines routed to skipping scanners, in one process.
 */
const FOLD = new Uint8Array(65536);
for (let c = 0; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c;

/** Shortest literal a SkipScanner accepts (shorter ones leave too little to skip; the automaton scans those). */
export const SKIP_MIN_LENGTH = 5;

/**
 * A set-wise Horspool search (Wu-Manber, blocks of two characters) over a few literals of at least
 * SKIP_MIN_LENGTH characters, case-folded like LiteralScanner. It finds the same literals as the automaton would
 * for its subset, writing into the automaton's `seen` array under a new epoch of the automaton.
 *
 * hot path (bench/hunt, round 5): the automaton costs one dependent table load per character (about 3.4 ns, some
 * 0.5 us per 140-character line, whatever the number of literals); the logsource routes most lines take (interface,
 * BGP, ACL, ASA, login messages) test only 10 to 14 literals of 8 or more characters, and this search looks at
 * about one character pair in every m - 1 of the line for them.
 */
export class SkipScanner implements Scanner {
  /** The literals' shortest length (the window). */
  readonly m: number;
  private shift: Uint8Array;
  /** Literal indexes per character pair whose shift is 0 (the pairs that end some literal's first m characters). */
  private buckets = new Map<number, Int32Array>();
  private lits: string[];
  private ids: Int32Array;

  /** `ids[i]` is the automaton's id of `literals[i]`; every literal is ASCII and at least SKIP_MIN_LENGTH long. */
  constructor(literals: string[], ids: number[], private shared: LiteralScanner) {
    if (literals.length === 0 || literals.length !== ids.length) throw new Error('SkipScanner needs literals and their ids');
    this.lits = literals.map((l) => {
      if (l.length < SKIP_MIN_LENGTH) throw new Error(`literal shorter than ${SKIP_MIN_LENGTH}: ${l}`);
      for (let i = 0; i < l.length; i++) if (l.charCodeAt(i) >= 128 || l.charCodeAt(i) === 0) throw new Error(`non-ASCII literal: ${l}`);
      return l.replace(/[A-Z]/g, (c) => c.toLowerCase());
    });
    this.ids = Int32Array.from(ids);
    const m = Math.min(200, ...this.lits.map((l) => l.length));
    this.m = m;
    const shift = new Uint8Array(1 << 14).fill(m - 1);
    const buckets = new Map<number, number[]>();
    this.lits.forEach((l, k) => {
      for (let j = 0; j <= m - 2; j++) {
        const h = (l.charCodeAt(j) << 7) | l.charCodeAt(j + 1);
        const s = m - 2 - j;
        if (s < shift[h]) shift[h] = s;
        if (s === 0) { const b = buckets.get(h) ?? []; b.push(k); buckets.set(h, b); }
      }
    });
    this.shift = shift;
    for (const [h, b] of buckets) this.buckets.set(h, Int32Array.from(b));
  }

  scan(text: string): number {
    const sh = this.shared;
    const e = ++sh.epoch;
    const seen = sh.seen, shift = this.shift, m = this.m, n = text.length;
    const fold = FOLD;
    let hits = 0;
    let i = m - 1;
    while (i < n) {
      // characters folded: A-Z to a-z, non-ASCII to 0 (in no literal)
      const h = (fold[text.charCodeAt(i - 1)] << 7) | fold[text.charCodeAt(i)];
      const s = shift[h];
      if (s !== 0) { i += s; continue; }
      const start = i - m + 1;
      const bucket = this.buckets.get(h) as Int32Array;
      for (let q = 0; q < bucket.length; q++) {
        const k = bucket[q];
        const l = this.lits[k];
        const len = l.length;
        if (start + len > n) continue;
        let j = 0;
        for (; j < len; j++) {
          let c = text.charCodeAt(start + j);
          if (c >= 65 && c <= 90) c += 32;
          if (c !== l.charCodeAt(j)) break;
        }
        if (j === len) {
          const id = this.ids[k];
          seen[id] = e;
          if (hits < HIT_CAP) sh.hitIds[hits] = id;
          hits++;
        }
      }
      i++;
    }
    return hits;
  }
}
