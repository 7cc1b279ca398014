/**
 * JSON Lines sink: one alert per line (Tidewatch alert shape or OCSF Detection Finding) appended to a file. The file
 * is reopened when it is rotated away (renamed or removed), so logrotate needs no signal.
 */
import { closeSync, fstatSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Alert } from '../model/alert.js';
import { DeliveryError, commonOf, payloadShape, str, type PayloadShape, type Raw, type Shaper, type SinkFactory, type SinkTarget } from './delivery.js';

export class JsonlSink implements SinkTarget {
  readonly kind = 'jsonl' as const;
  private fd?: number;
  private ino = -1;

  constructor(readonly path: string, private readonly payload: PayloadShape, private readonly shaper: Shaper) {}

  private open(): number {
    if (this.fd !== undefined) {
      // rotated? (the path now names another file, or none)
      let same = false;
      try {
        same = statSync(this.path).ino === this.ino;
      } catch {
        same = false;
      }
      if (same) return this.fd;
      closeSync(this.fd);
      this.fd = undefined;
    }
    mkdirSync(dirname(this.path), { recursive: true });
    this.fd = openSync(this.path, 'a', 0o640);
    this.ino = fstatSync(this.fd).ino;
    return this.fd;
  }

  async send(alerts: Alert[]): Promise<void> {
    const text = alerts.map((a) => JSON.stringify(this.shaper.shape(a, this.payload))).join('\n') + '\n';
    try {
      writeSync(this.open(), text);
    } catch (e) {
      if (this.fd !== undefined) try { closeSync(this.fd); } catch { /* already closed */ }
      this.fd = undefined;
      throw new DeliveryError('write', `${this.path}: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export const jsonlFactory: SinkFactory = {
  key: 'jsonl',
  build(where: string, o: Raw, i: number, ctx: { shaper: Shaper; base: string }) {
    const path = resolve(ctx.base, str(`${where}.path`, o.path)!);
    const common = commonOf(where, o, `jsonl-${i + 1}`, { batch: 1000 });
    return { common, target: new JsonlSink(path, payloadShape(`${where}.payload`, o.payload), ctx.shaper) };
  },
};
