/**
 * Aho-Corasick automaton over the rules' literal strings (ASCII, case-folded). One pass over the raw line
 * finds every literal it contains, so rules whose literals are absent are never evaluated. Hot path: a dense
 * transition table over a compressed alphabet (16-bit states when they fit), no allocation per line.
 */
export class LiteralScanner {
  readonly literals: string[];
  /**
   * Transitions over a compressed alphabet: `delta[state * width + cls[c]]`. Only the characters that occur in
   * some literal get a class of their own (everything else is class 0), so the table stays small enough for the
   * CPU caches (a 128-column table over thousands of states missed them on every character).
   */
  private delta: Uint16Array | Int32Array;
  private width: number;
  /** ASCII code (case-folded) -> character class. */
  private cls: Uint8Array;
  /** For each state: start and count into `outs` of the literal ids ending there (via failure links too). */
  private outStart: Int32Array;
  private outCount: Int32Array;
  private outs: Int32Array;
  /** Per literal: the scan epoch in which it was last seen. */
  readonly seen: Int32Array;
  epoch = 0;

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
    this.delta = delta;
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
    const delta = this.delta, cls = this.cls, w = this.width, oc = this.outCount, os = this.outStart, outs = this.outs, seen = this.seen;
    let s = 0, hits = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      // non-ASCII characters are in no literal: back to the root
      s = c < 128 ? delta[s * w + cls[c]] : 0;
      const k = oc[s];
      if (k !== 0) {
        const st = os[s];
        for (let j = 0; j < k; j++) seen[outs[st + j]] = e;
        hits += k;
      }
    }
    return hits;
  }
}
