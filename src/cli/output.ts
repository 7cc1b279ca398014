import { UsageError } from './exit.js';

export type OutputFormat = 'table' | 'json' | 'jsonl' | 'sarif';

/** Validates a --format value against what a command supports. */
export function parseFormat(value: string | undefined, allowed: readonly OutputFormat[], fallback: OutputFormat = 'table'): OutputFormat {
  const v = (value ?? fallback) as OutputFormat;
  if (!allowed.includes(v)) throw new UsageError(`--format must be one of ${allowed.join(', ')} (got "${value}")`);
  return v;
}

export interface Column<T> {
  header: string;
  get: (row: T) => unknown;
  /** Maximum width; longer cells are cut with an ellipsis. */
  max?: number;
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v).replace(/[\r\n\t]+/g, ' ');
}

/** Renders rows as an aligned plain-text table. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const data = rows.map((r) => columns.map((c) => {
    const s = cell(c.get(r));
    const max = c.max ?? 80;
    return s.length > max ? s.slice(0, max - 1) + '…' : s;
  }));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...data.map((d) => d[i].length)));
  const line = (cells: string[]) => cells.map((s, i) => (i === cells.length - 1 ? s : s.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...data.map(line)].join('\n') + '\n';
}

/** Writes to stdout respecting backpressure (important when piping large jsonl outputs). */
export function writeOut(s: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(s)) { resolve(); return; }
    // wait for drain; listeners are only added (and removed) when the pipe is full
    const done = (e?: Error) => {
      process.stdout.off('drain', done);
      process.stdout.off('error', done);
      if (e) reject(e); else resolve();
    };
    process.stdout.once('drain', done);
    process.stdout.once('error', done);
  });
}

/** JSON Lines writer that batches into large writes (one syscall per ~64 KiB). */
export class JsonlWriter {
  private buf: string[] = [];
  private size = 0;
  async write(obj: unknown): Promise<void> {
    const s = JSON.stringify(obj) + '\n';
    this.buf.push(s);
    this.size += s.length;
    if (this.size > 65536) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.buf.length) return;
    const s = this.buf.join('');
    this.buf = [];
    this.size = 0;
    await writeOut(s);
  }
}

/** Logs to stderr (never stdout: stdout carries records). */
export function warn(msg: string): void {
  process.stderr.write(`tidewatch: ${msg}\n`);
}
