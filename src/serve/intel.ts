import type { Alert } from '../model/alert.js';
import type { Event, SourceRef } from '../model/event.js';
import type { FlowRecord } from '../model/flow.js';
import type { Store } from '../store/store.js';
import { importIntel, loadMatcher, type IndicatorMatcher } from '../pipeline/intel.js';
import type { EventDetector } from './pipeline.js';

/** The observable an indicator's pattern names first: `[ipv4-addr:value = '1.2.3.4']` gives ipv4-addr, 1.2.3.4. */
export function patternTarget(pattern: string | undefined): { type: string; value: string } {
  const m = /\[\s*([a-z0-9-]+):[a-z0-9_.'\][-]+\s*(?:=|LIKE|MATCHES|ISSUBSET|ISSUPERSET)\s*'((?:[^'\\]|\\.)*)'/i.exec(pattern ?? '');
  return m ? { type: m[1], value: m[2].replace(/\\(.)/g, '$1') } : { type: 'pattern', value: pattern ?? '' };
}

/**
 * Holds the service's indicator matcher (intel capability) and swaps in a fresh one when indicators change (an
 * import through the API, a scheduled TAXII pull). Detectors read `matcher` on each call, so a swap takes effect
 * for the next event without stopping the pipeline.
 */
export class IntelHolder {
  matcher?: IndicatorMatcher;
  private reloading?: Promise<void>;
  loadedAt?: string;

  constructor(readonly store: Store, private readonly log: (l: string) => void = () => undefined) {}

  async reload(): Promise<void> {
    if (this.reloading) return this.reloading;
    this.reloading = (async () => {
      try {
        this.matcher = await loadMatcher(this.store);
        this.loadedAt = new Date().toISOString();
      } catch (e) {
        this.log(`tidewatch: loading indicators failed: ${(e as Error).message}`);
      }
    })().finally(() => { this.reloading = undefined; });
    return this.reloading;
  }

  get size(): number {
    return this.matcher?.size ?? 0;
  }

  /** Indicator matching over every parsed event. */
  eventDetector(): EventDetector {
    return {
      name: 'intel',
      process: (event: Event, source: SourceRef): Alert[] => (this.matcher && this.matcher.size ? this.matcher.matchEvent(event, source) : []),
    };
  }

  /** Indicator matching over both ends of every flow (added to the flow analytics as a matcher). */
  flowMatcher(): (flow: FlowRecord) => Alert[] {
    return (flow) => (this.matcher && this.matcher.size ? this.matcher.matchFlow(flow) : []);
  }

  /** The API's indicator list: indicators with what they point at and how many alerts they raised. */
  async list(q: { q?: string; type?: string; limit: number; offset: number }): Promise<{ total: number; items: unknown[] }> {
    const page = await this.store.listIntelObjects({ types: ['indicator'], q: q.q, limit: q.type ? 100_000 : q.limit, offset: q.type ? 0 : q.offset });
    let rows = page.items.map((o) => ({ o, target: patternTarget(o.pattern) }));
    let total = page.total;
    if (q.type) {
      rows = rows.filter((r) => r.target.type === q.type);
      total = rows.length;
      rows = rows.slice(q.offset, q.offset + q.limit);
    }
    const items = [];
    for (const { o, target } of rows) {
      const matches = (await this.store.listAlerts({ detector: 'intel', ruleId: o.id, limit: 0 })).total;
      items.push({
        id: o.id, type: target.type, value: target.value, pattern: o.pattern, name: o.name, source: o.source,
        confidence: o.confidence, valid_until: o.valid_until, revoked: o.revoked, matches,
      });
    }
    return { total, items };
  }

  /** Import through the API; the matcher reloads at once. */
  async import(text: string, by: string): Promise<{ added: number; updated: number; skipped: number; rejected: { reason: string; ref?: string }[] }> {
    const r = await importIntel(this.store, text, { source: `api:${by}` });
    await this.reload();
    return { added: r.added, updated: r.updated, skipped: r.skipped, rejected: r.rejected.map((x) => ({ ref: x.ref, reason: x.reason })) };
  }
}
