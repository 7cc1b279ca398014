/**
 * A progress bar on stderr, drawn only when stderr is a terminal (and never in CI or pipes),
 * so scripted runs see clean output.
 */
export class Progress {
  private readonly enabled: boolean;
  private last = 0;
  private done = 0;
  constructor(private readonly label: string, private readonly total?: number) {
    this.enabled = Boolean(process.stderr.isTTY) && !process.env.CI;
  }
  tick(n = 1, what?: string): void {
    this.done += n;
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && this.done !== this.total) return;
    this.last = now;
    const width = 30;
    let bar = '';
    if (this.total) {
      const f = Math.min(1, this.done / this.total);
      bar = '[' + '#'.repeat(Math.round(f * width)).padEnd(width, '.') + `] ${this.done}/${this.total}`;
    } else bar = `${this.done}`;
    const tail = what ? ` ${what.slice(-40)}` : '';
    process.stderr.write(`\r${this.label} ${bar}${tail}\x1b[K`);
  }
  end(): void {
    if (this.enabled) process.stderr.write('\r\x1b[K');
  }
}
