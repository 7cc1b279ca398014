/** Alert delivery sinks for `tidewatch serve` (docs/SERVE.md, "Alert delivery"). */
import type { Gauge, Registry } from 'prom-client';
import { Delivery, deliveryMetrics, type Raw } from './delivery.js';
import { webhookFactory } from './webhook.js';
import { syslogFactory } from './syslog.js';
import { jsonlFactory } from './jsonl.js';

export { Delivery, DeliveryConfigError, DeliveryError, SinkRunner } from './delivery.js';
export { signBody, SIGNATURE_HEADER } from './webhook.js';
export { formatCef, formatRfc5424, formatCefSyslog } from './syslog.js';
export { toOcsfDetectionFinding, OCSF_VERSION } from './ocsf.js';

export const SINK_FACTORIES = [webhookFactory, syslogFactory, jsonlFactory];

/** The sinks of the site file's `delivery:` section, with their metrics in `registry`. */
export function deliveryFromSite(raw: Raw | undefined, o: { registry: Registry; queueDepth?: Gauge<'queue'>; base: string; version?: string; log?: (l: string) => void }): Delivery {
  return Delivery.fromConfig(raw, { metrics: deliveryMetrics(o.registry, o.queueDepth), factories: SINK_FACTORIES, base: o.base, version: o.version, log: o.log });
}
