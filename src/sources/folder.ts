import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface FolderChange {
  file: string;
  mtimeMs: number;
  size: number;
}

/**
 * Watches a folder (and its subfolders) by polling: every `intervalMs` it lists the files and reports the ones that
 * are new or whose size or modification time changed since the last look. Polling rather than fs.watch because it
 * behaves the same on every filesystem (NFS, bind mounts, editors that replace files) and survives the folder
 * disappearing and coming back. Hidden files and `*.tmp`/`*~` are skipped (half-written copies).
 */
export class FolderPoller {
  private seen = new Map<string, { mtimeMs: number; size: number }>();
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(readonly dir: string, private readonly onChange: (changes: FolderChange[]) => Promise<void>, readonly intervalMs = 5000,
    private readonly onError: (e: Error) => void = () => undefined) {}

  /** Files as last seen (file -> version), to resume without re-reporting (e.g. from a saved state). */
  prime(known: Iterable<[string, { mtimeMs: number; size: number }]>): void {
    this.seen = new Map(known);
  }

  start(): void {
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One look; resolves when the changes found were handled. */
  async scan(): Promise<FolderChange[]> {
    if (this.busy) return [];
    this.busy = true;
    try {
      const files = await listFiles(this.dir);
      const changes: FolderChange[] = [];
      for (const f of files) {
        const prev = this.seen.get(f.file);
        if (!prev || prev.mtimeMs !== f.mtimeMs || prev.size !== f.size) changes.push(f);
      }
      if (changes.length) await this.onChange(changes);
      for (const c of changes) this.seen.set(c.file, { mtimeMs: c.mtimeMs, size: c.size });
      return changes;
    } catch (e) {
      this.onError(e as Error);
      return [];
    } finally {
      this.busy = false;
    }
  }
}

async function listFiles(dir: string, depth = 0): Promise<FolderChange[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: FolderChange[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || e.name.endsWith('.tmp') || e.name.endsWith('~')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (depth < 8) out.push(...await listFiles(p, depth + 1));
    } else if (e.isFile()) {
      try {
        const s = await stat(p);
        out.push({ file: p, mtimeMs: s.mtimeMs, size: s.size });
      } catch {
        // vanished between readdir and stat
      }
    }
  }
  return out;
}
