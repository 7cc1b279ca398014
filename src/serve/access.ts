/**
 * Access monitoring in the live service: access-audit files named in the site file (`serve.access.files`) are
 * tailed (appended lines read as they land; rotation by rename or truncation followed), mapped to access events
 * (src/parsers/access.ts) and run through the AccessMonitor with the behaviour models learned into the store and
 * the optional warrant register. Alerts go through correlation like every other detector's.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Alert } from '../model/alert.js';
import type { SiteConfig } from '../model/site.js';
import type { IncidentManager } from '../correlation/manager.js';
import type { Store } from '../store/store.js';
import { AccessLineParser, defaultMappingFor, loadAccessMapping, type AccessMapping } from '../parsers/access.js';
import { AccessMonitor, learnModels, loadModels, loadWarrants, readAccessFiles, saveModels, accessOperators } from '../pipeline/access.js';
import { parseDuration } from '../correlation/rules.js';
import { ConfigError } from './config.js';
import type { Metrics } from './metrics.js';

export const ACCESS_SOURCE = 'access-audit';
const TAIL_KIND = 'access_tail';
/** Longest line kept whole; longer ones are cut and reported as unparsed. */
const MAX_LINE = 1 << 20;
const CHUNK = 1 << 20;

export interface AccessSettings {
  files: string[];
  mapping?: AccessMapping;
  warrants?: string;
  pollMs: number;
  /** Where a file never seen before is read from. */
  from: 'start' | 'end';
  /** Learn the models from what the files already hold when the store has none. */
  learn: boolean;
}

/** `serve.access: {files: [...], mapping?, warrants?, poll?: 1s, from?: start|end, learn?: bool}` */
export function accessSettings(site: SiteConfig): AccessSettings | undefined {
  const raw = site.serve?.access;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('serve.access must be a mapping with files: [...]');
  const o = raw as Record<string, unknown>;
  const base = site.path ? dirname(resolve(site.path)) : process.cwd();
  const list = typeof o.files === 'string' ? [o.files] : o.files;
  if (!Array.isArray(list) || !list.length || list.some((f) => typeof f !== 'string')) throw new ConfigError('serve.access.files must be a list of access-audit file paths');
  const pollMs = parseDuration(o.poll ?? '1s');
  if (!pollMs || pollMs < 50) throw new ConfigError(`serve.access.poll must be a duration of at least 50ms (got ${String(o.poll)})`);
  const from = o.from ?? 'start';
  if (from !== 'start' && from !== 'end') throw new ConfigError('serve.access.from must be start or end');
  let mapping: AccessMapping | undefined;
  if (o.mapping !== undefined) {
    try {
      const m = String(o.mapping);
      mapping = loadAccessMapping(existsSync(resolve(base, m)) ? resolve(base, m) : m);
    } catch (e) {
      throw new ConfigError(`serve.access.mapping: ${(e as Error).message}`);
    }
  }
  return {
    files: (list as string[]).map((f) => resolve(base, f)),
    mapping,
    warrants: typeof o.warrants === 'string' ? resolve(base, o.warrants) : undefined,
    pollMs, from, learn: o.learn === true,
  };
}

interface TailPos {
  ino: number;
  offset: number;
  line: number;
}

/** One followed file: reads complete lines past `offset`; follows a rename (new inode) or a truncation. */
class FileTail {
  private fd?: number;
  private ino = -1;
  private offset = 0;
  private line = 0;
  private rest: Buffer = Buffer.alloc(0);
  private skipping = false;
  private parser: AccessLineParser;
  rotations = 0;

  constructor(readonly path: string, private readonly mapping: AccessMapping, start?: TailPos, from: 'start' | 'end' = 'start') {
    this.parser = new AccessLineParser(mapping);
    this.reopen(start, from);
  }

  get position(): TailPos {
    return { ino: this.ino, offset: this.offset, line: this.line };
  }

  private reopen(start: TailPos | undefined, from: 'start' | 'end'): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.rest = Buffer.alloc(0);
    this.skipping = false;
    this.parser = new AccessLineParser(this.mapping);
    let fd: number;
    try {
      fd = openSync(this.path, 'r');
    } catch {
      return; // not there (yet): poll() tries again
    }
    const st = fstatSync(fd);
    this.fd = fd;
    this.ino = st.ino;
    this.offset = 0;
    this.line = 0;
    if (start && start.ino === st.ino && start.offset <= st.size) {
      this.offset = start.offset;
      this.line = start.line;
    } else if (!start && from === 'end') {
      this.offset = st.size;
      this.line = -1; // unknown line numbers until the next rotation
    }
    if (this.offset > 0 && this.mapping.format === 'csv') {
      // the header row gives the CSV columns
      const head = Buffer.alloc(Math.min(64 * 1024, st.size));
      const n = readSync(fd, head, 0, head.length, 0);
      const first = head.subarray(0, n).toString('utf8').split('\n')[0].replace(/\r$/, '');
      this.parser.line(first, 1);
    }
  }

  /** New complete lines (with their line numbers), following rotation. */
  read(): { text: string; no: number; oversized: boolean }[] {
    const out: { text: string; no: number; oversized: boolean }[] = [];
    if (this.fd === undefined) {
      if (existsSync(this.path)) this.reopen(undefined, 'start');
      if (this.fd === undefined) return out;
    }
    this.drain(out);
    // rotated (renamed away and a new file created) or truncated: finish the old file, then start the new one
    let st;
    try {
      st = statSync(this.path);
    } catch {
      return out; // renamed away, new one not created yet: keep the old fd (more may still be written to it)
    }
    if (st.ino !== this.ino || st.size < this.offset) {
      this.drain(out);
      this.flushRest(out);
      this.rotations++;
      this.reopen(undefined, 'start');
      this.drain(out);
    }
    return out;
  }

  private drain(out: { text: string; no: number; oversized: boolean }[]): void {
    if (this.fd === undefined) return;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(this.fd, buf, 0, CHUNK, this.offset + this.rest.length);
      if (n <= 0) break;
      const data = this.rest.length ? Buffer.concat([this.rest, buf.subarray(0, n)]) : buf.subarray(0, n);
      // complete lines only (decoded whole, so a multi-byte character is never cut); the rest waits for more
      let from = 0;
      if (this.skipping) {
        const nl = data.indexOf(0x0a);
        if (nl < 0) {
          this.offset += data.length;
          this.rest = Buffer.alloc(0);
          if (n < CHUNK) break;
          continue;
        }
        this.skipping = false;
        from = nl + 1;
      }
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, from)) {
        this.emit(data.toString('utf8', from, nl), out);
        from = nl + 1;
      }
      this.offset += from;
      this.rest = Buffer.from(data.subarray(from));
      if (this.rest.length > MAX_LINE) {
        this.emit(this.rest.toString('utf8', 0, MAX_LINE), out, true);
        this.offset += this.rest.length;
        this.rest = Buffer.alloc(0);
        this.skipping = true; // the remainder of that line is left out
      }
      if (n < CHUNK) break;
    }
  }

  private emit(text: string, out: { text: string; no: number; oversized: boolean }[], oversized = false): void {
    if (this.line >= 0) this.line++;
    out.push({ text: text.endsWith('\r') ? text.slice(0, -1) : text, no: this.line, oversized });
  }

  private flushRest(out: { text: string; no: number; oversized: boolean }[]): void {
    if (this.rest.length) this.emit(this.rest.toString('utf8'), out);
    this.rest = Buffer.alloc(0);
  }

  parse(l: { text: string; no: number; oversized: boolean }) {
    return this.parser.line(l.text, Math.max(l.no, 0), l.oversized);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * The access-audit tail: polls each file every `pollMs`, runs new rows through the monitor, advances the monitor's
 * clock (so an operator-hour that ended is scored), hands alerts to correlation, and keeps each file's position in
 * the store so a restart resumes where it stopped (rows read but not yet in the store at a crash are read again;
 * alert ids are stable, so they raise no duplicates).
 */
export class AccessTail {
  private tails: FileTail[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  monitor?: AccessMonitor;
  events = 0;

  constructor(private readonly o: {
    settings: AccessSettings; site: SiteConfig; store: Store; incidents: IncidentManager; metrics: Metrics; log: (l: string) => void;
  }) {}

  async start(): Promise<void> {
    const { settings, store, log } = this.o;
    let models = await loadModels(store);
    if (!models && settings.learn) {
      const present = settings.files.filter((f) => existsSync(f));
      const r = await readAccessFiles(present, settings.mapping);
      if (r.records.length) {
        models = learnModels(r.records);
        await saveModels(store, models);
        log(`tidewatch: access: learned models of ${Object.keys(models.operators).length} operators from ${r.records.length} rows already in ${present.join(', ')}; saved in the store`);
      }
    }
    const warrants = settings.warrants ? await loadWarrants(settings.warrants).catch((e: Error) => { throw new ConfigError(`serve.access.warrants: ${e.message}`); }) : undefined;
    this.monitor = new AccessMonitor({ models, warrants, site: this.o.site.access });
    const cov = this.monitor.coverage;
    if (!cov.models) log('tidewatch: access: no learned models in the store (tidewatch access learn, or serve.access.learn: true): behaviour anomalies are off');
    if (!cov.warrants) log('tidewatch: access: no serve.access.warrants: the warrant checks are off');
    for (const f of settings.files) {
      const pos = await store.getDoc<TailPos>(TAIL_KIND, f);
      const learnedFromIt = settings.learn && !pos;
      this.tails.push(new FileTail(f, settings.mapping ?? defaultMappingFor(f), pos, learnedFromIt ? 'end' : settings.from));
      if (!existsSync(f)) log(`tidewatch: access: ${f} does not exist yet; watching for it`);
    }
    this.o.metrics.accepted.inc({ source: ACCESS_SOURCE }, 0);
    this.timer = setInterval(() => void this.poll(), settings.pollMs);
    this.timer.unref();
    await this.poll();
  }

  /** Reads what the files gained since the last look (tests call this to skip the wait). */
  poll(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.pollOnce().catch((e) => this.o.log(`tidewatch: access: ${(e as Error).message}`)).finally(() => { this.running = undefined; });
    return this.running;
  }

  private async pollOnce(): Promise<void> {
    const { metrics, store, incidents } = this.o;
    const monitor = this.monitor!;
    const alerts: Alert[] = [];
    for (const t of this.tails) {
      const before = t.position;
      const lines = t.read();
      if (!lines.length && before.offset === t.position.offset && before.ino === t.position.ino) continue;
      let n = 0;
      let ms = 0;
      for (const l of lines) {
        const r = t.parse(l);
        if (!r) continue;
        if ('error' in r) {
          metrics.parseErrors.inc({ source: ACCESS_SOURCE });
          continue;
        }
        n++;
        const t0 = performance.now();
        for (const a of monitor.process(r.event, { file: t.path, line: r.line || undefined })) alerts.push(a);
        ms += performance.now() - t0;
      }
      if (n) metrics.detectorLatency.observe({ detector: 'access' }, ms / 1000);
      this.events += n;
      if (n) metrics.accepted.inc({ source: ACCESS_SOURCE }, n);
      if (alerts.length) await incidents.ingest(alerts.splice(0));
      await store.putDoc(TAIL_KIND, t.path, t.position);
    }
    alerts.push(...monitor.advance(Date.now()));
    if (alerts.length) await incidents.ingest(alerts);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    for (const t of this.tails) t.close();
  }

  /** Rotations followed so far (tests). */
  get rotations(): number {
    return this.tails.reduce((n, t) => n + t.rotations, 0);
  }
}

export { accessOperators };
