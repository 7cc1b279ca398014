/**
 * Aho-Corasick automaton over the rules' literal strings (ASCII, case-folded). One pass over the raw line
 * finds every literal it contains, so rules whose literals are absent are never evaluated. Hot path: a dense
 * transition table (128 columns per state), no allocation per line.
 */
export class LiteralScanner {
  readonly literals: string[];
  private delta: Int32Array;
  /** For each state: start and count into `outs` of the literal ids ending there (via failure links too). */
  private outStart: Int32Array;
  private outCount: Int32Array;
  private outs: Int32Array;
  /** Per literal: the scan epoch in which it was last seen. */
  readonly seen: Int32Array;
  epoch = 0;

  constructor(literals: string[]) {
    this.literals = literals;
    const goto: Int32Array[] = [new Int32Array(128).fill(-1)];
    const outSets: number[][] = [[]];
    literals.forEach((lit, id) => {
      let s = 0;
      for (let i = 0; i < lit.length; i++) {
        let c = lit.charCodeAt(i);
        if (c >= 128) throw new Error(`non-ASCII literal: ${lit}`);
        if (c >= 65 && c <= 90) c += 32;
        let nx = goto[s][c];
        if (nx < 0) {
          nx = goto.length;
          goto.push(new Int32Array(128).fill(-1));
          outSets.push([]);
          goto[s][c] = nx;
        }
        s = nx;
      }
      outSets[s].push(id);
    });
    const n = goto.length;
    const fail = new Int32Array(n);
    const delta = new Int32Array(n * 128);
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const nx = goto[0][c];
      if (nx < 0) delta[c] = 0;
      else { delta[c] = nx; fail[nx] = 0; queue.push(nx); }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      outSets[s].push(...outSets[fail[s]]);
      for (let c = 0; c < 128; c++) {
        const nx = goto[s][c];
        if (nx < 0) delta[s * 128 + c] = delta[fail[s] * 128 + c];
        else {
          delta[s * 128 + c] = nx;
          fail[nx] = delta[fail[s] * 128 + c];
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
    const delta = this.delta, oc = this.outCount, os = this.outStart, outs = this.outs, seen = this.seen;
    let s = 0, hits = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      let c = text.charCodeAt(i);
      if (c >= 128) { s = 0; continue; }
      if (c >= 65 && c <= 90) c += 32;
      s = delta[(s << 7) + c];
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
