/**
 * Webhook sink: each batch of alerts is POSTed as JSON (one alert object, or an array when `batch` > 1) in the
 * Tidewatch alert shape or as OCSF Detection Findings. With a secret, `X-Tidewatch-Signature: sha256=<hex>` carries
 * the HMAC-SHA256 of the exact body bytes, so the receiver can check the alert came from this service unchanged.
 * Network errors, timeouts, 408, 429 and 5xx are retried (backoff in the delivery runner); other 4xx are not.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Alert } from '../model/alert.js';
import { DeliveryConfigError, DeliveryError, commonOf, dur, payloadShape, secretOf, str, type PayloadShape, type Raw, type Shaper, type SinkFactory, type SinkTarget } from './delivery.js';

export const SIGNATURE_HEADER = 'x-tidewatch-signature';

/** The signature header value for a body: `sha256=` and the hex HMAC-SHA256 under the shared secret. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface WebhookOptions {
  url: string;
  secret?: string;
  payload: PayloadShape;
  timeoutMs: number;
  headers: Record<string, string>;
  /** batch > 1: the body is a JSON array. */
  array: boolean;
}

export class WebhookSink implements SinkTarget {
  readonly kind = 'webhook' as const;
  constructor(private readonly o: WebhookOptions, private readonly shaper: Shaper) {}

  async send(alerts: Alert[]): Promise<void> {
    const items = alerts.map((a) => this.shaper.shape(a, this.o.payload));
    const body = JSON.stringify(this.o.array ? items : items[0]);
    const headers: Record<string, string> = {
      ...this.o.headers,
      'content-type': 'application/json',
      'user-agent': 'tidewatch',
      // the same for every attempt of one batch, so a receiver can drop a retry it already took
      'x-tidewatch-delivery': createHash('sha256').update(alerts.map((a) => a.id).join(',')).digest('hex').slice(0, 32),
      'x-tidewatch-payload': this.o.payload,
    };
    if (this.o.secret) headers[SIGNATURE_HEADER] = signBody(this.o.secret, body);
    let res: Response;
    try {
      res = await fetch(this.o.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.o.timeoutMs) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'TimeoutError') throw new DeliveryError('timeout', `${redactUrl(this.o.url)}: no answer within ${this.o.timeoutMs} ms`);
      throw new DeliveryError('connect', `${redactUrl(this.o.url)}: ${err.cause?.code ?? err.message}`);
    }
    await res.arrayBuffer().catch(() => undefined); // let the connection be reused
    if (res.ok) return;
    const retry = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new DeliveryError(`http_${res.status}`, `${redactUrl(this.o.url)} answered ${res.status} ${res.statusText}`, retry);
  }

  async close(): Promise<void> {
    // fetch keeps no state of ours
  }
}

/** A URL for logs: user info replaced. */
function redactUrl(u: string): string {
  try {
    const x = new URL(u);
    if (x.username || x.password) { x.username = 'redacted'; x.password = ''; }
    return x.toString();
  } catch {
    return '<bad url>';
  }
}

export const webhookFactory: SinkFactory = {
  key: 'webhooks',
  build(where: string, o: Raw, i: number, ctx: { shaper: Shaper }) {
    const url = str(`${where}.url`, o.url)!;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DeliveryConfigError(`${where}.url: "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new DeliveryConfigError(`${where}.url must be http:// or https://`);
    const headers: Record<string, string> = {};
    if (o.headers !== undefined) {
      if (!o.headers || typeof o.headers !== 'object' || Array.isArray(o.headers)) throw new DeliveryConfigError(`${where}.headers must be a mapping of header names to values`);
      for (const [k, v] of Object.entries(o.headers as Raw)) headers[k.toLowerCase()] = String(v);
    }
    const common = commonOf(where, o, `webhook-${i + 1}`);
    return {
      common,
      target: new WebhookSink({
        url, secret: secretOf(where, o), payload: payloadShape(`${where}.payload`, o.payload),
        timeoutMs: dur(`${where}.timeout`, o.timeout, '10s'), headers, array: common.batch > 1,
      }, ctx.shaper),
    };
  },
};
