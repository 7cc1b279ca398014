import { createHash } from 'node:crypto';
import type { Alert } from '../model/alert.js';
import type { SiteConfig } from '../model/site.js';
import type { IncidentManager } from '../correlation/manager.js';
import type { Store } from '../store/store.js';
import { auditConfigText, configAddresses, driftFindings, findingToAlert, readConfigFile } from '../pipeline/audit.js';
import { redactLine } from '../parsers/configs/redact.js';
import { FolderPoller, type FolderChange } from '../sources/folder.js';
import type { DeviceDoc } from './context.js';
import type { IntelHolder } from './intel.js';
import type { Metrics } from './metrics.js';

/** The last version of a device's config the service saw: secrets redacted, so the store never holds them. */
interface Snapshot {
  file: string;
  time: string;
  platform: string;
  /** Redacted text, re-parsed as the "before" side of the next drift comparison. */
  text: string;
}

const HISTORY_KEEP = 50;

/**
 * The watched config folder (`serve.configs` in the site file): each new or changed file is audited; compared with
 * the previous version of the same device, new compromise findings become drift alerts; addresses in it are matched
 * against the indicators. Compromise and drift findings (and indicator hits) go through correlation as alerts;
 * hardening findings stay on the device page (they describe posture, not an intrusion).
 */
export class ConfigWatcher {
  private readonly poller: FolderPoller;
  audited = 0;

  constructor(private readonly o: {
    dir: string; site: SiteConfig; store: Store; incidents: IncidentManager; metrics: Metrics; intel?: IntelHolder;
    intervalMs?: number; log: (l: string) => void;
  }) {
    this.poller = new FolderPoller(o.dir, (c) => this.handle(c), o.intervalMs ?? 5000, (e) => o.log(`tidewatch: config folder ${o.dir}: ${e.message}`));
  }

  async start(): Promise<void> {
    const seen = await this.o.store.listDocs<{ mtimeMs: number; size: number }>('config_seen');
    this.poller.prime(seen.map((d) => [d.key, d.doc]));
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  /** Looks at the folder now (tests). */
  scan(): Promise<FolderChange[]> {
    return this.poller.scan();
  }

  private async handle(changes: FolderChange[]): Promise<void> {
    for (const c of changes) {
      try {
        await this.auditOne(c);
      } catch (e) {
        this.o.log(`tidewatch: auditing ${c.file} failed: ${(e as Error).message}`);
      }
      await this.o.store.putDoc('config_seen', c.file, { mtimeMs: c.mtimeMs, size: c.size });
    }
  }

  private async auditOne(c: FolderChange): Promise<void> {
    const { store, site, metrics } = this.o;
    const read = await readConfigFile(c.file);
    if ('error' in read) {
      metrics.parseErrors.inc({ source: 'configs' });
      this.o.log(`tidewatch: ${c.file}: ${read.error}`);
      return;
    }
    const r = auditConfigText(read.text, c.file, site);
    if (r.error) {
      metrics.parseErrors.inc({ source: 'configs' });
      this.o.log(`tidewatch: ${r.error.file}: ${r.error.message}`);
      return;
    }
    const { device, tree } = r;
    const time = new Date(c.mtimeMs).toISOString();
    const name = device.hostname.toLowerCase();
    const who = { hostname: device.hostname, file: c.file, platform: device.platform };
    const alerts: Alert[] = device.findings.filter((f) => f.kind !== 'hardening').map((f) => findingToAlert(who, f, time));
    const prevSnap = await store.getDoc<Snapshot>('config_snapshot', name);
    const prevDoc = await store.getDoc<DeviceDoc>('device', name);
    let history = prevDoc?.history ?? [];
    if (prevSnap) {
      const before = auditConfigText(prevSnap.text, prevSnap.file, site);
      if (!before.error) {
        const drift = driftFindings(before.tree, tree, site);
        alerts.push(...drift.findings.map((f) => findingToAlert(who, f, time)));
        if (drift.diff.length) {
          history = [{
            time, file: c.file,
            changes: drift.diff.map((d) => ({ section: d.section, added: d.added.map((x) => x.text), removed: d.removed.map((x) => x.text) })),
          }, ...history].slice(0, HISTORY_KEEP);
        }
      }
    }
    if (this.o.intel?.matcher?.size) alerts.push(...this.o.intel.matcher.matchConfigAddresses(device.hostname, configAddresses(tree).map((a) => ({ address: a.address, context: a.kind, line: a.line, file: c.file })), time));
    const doc: DeviceDoc = {
      name, platform: device.platform, version: createHash('sha256').update(read.text).digest('hex').slice(0, 12), file: c.file, last_audit: new Date().toISOString(),
      findings: device.findings.map((f) => findingToAlert(who, f, time)), history,
    };
    await store.putDoc('device', name, doc);
    await store.putDoc('config_snapshot', name, {
      file: c.file, time, platform: device.platform, text: tree.lines.map((l) => redactLine(l, tree.platform)).join('\n'),
    } satisfies Snapshot);
    if (alerts.length) await this.o.incidents.ingest(alerts);
    this.audited++;
  }
}
