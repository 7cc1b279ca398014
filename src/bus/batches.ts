import type { Consumer, JsMsg } from 'nats';

export interface BatchOptions {
  /** Messages per batch at most. */
  max: number;
  /** A partial batch is handed over after this long. */
  idleMs: number;
  stopped: () => boolean;
  onError: (e: Error) => void;
  /** Receives the message iterator, so a stop can end it. */
  register?: (msgs: { stop(): void }) => void;
}

/**
 * Pulls a consumer's messages continuously and hands them to `handle` in batches (at most `max`, or whatever came
 * within `idleMs`), one batch at a time, in order. consume() keeps a pull request open with heartbeats; repeated
 * fetch() calls with an expiry lose the race against messages delivered just as a fetch expires, which then sit
 * unacknowledged until their ack wait runs out. `handle` acknowledges; when it throws, the batch is negatively
 * acknowledged for redelivery after half a second.
 */
export async function consumeBatches(consumer: Consumer, o: BatchOptions, handle: (batch: JsMsg[]) => Promise<void>): Promise<void> {
  const msgs = await consumer.consume({ max_messages: Math.max(o.max * 2, 64) });
  o.register?.(msgs);
  let buf: JsMsg[] = [];
  let chain: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (!buf.length) return chain;
    const batch = buf;
    buf = [];
    chain = chain.then(async () => {
      try {
        await handle(batch);
      } catch (e) {
        o.onError(e as Error);
        for (const m of batch) m.nak(500);
      }
    });
    return chain;
  };
  const timer = setInterval(() => void flush(), o.idleMs);
  try {
    for await (const m of msgs) {
      buf.push(m);
      if (buf.length >= o.max) await flush();
      if (o.stopped()) break;
    }
  } finally {
    clearInterval(timer);
    await flush();
  }
}
