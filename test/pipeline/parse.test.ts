import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFile, parseFileEach, newCounters, type ParsedItem } from '../../src/pipeline/parse.js';
import { MAX_LINE_BYTES } from '../../src/sources/lines.js';
import { corpusPath } from '../corpus.js';

/** parseFileEach's calls in parseFile's item shape. */
async function each(path: string) {
  const counters = newCounters();
  const out: ParsedItem[] = [];
  await parseFileEach(path, { refMs: Date.UTC(2026, 11, 7) }, counters, (event, line, error) => {
    out.push(event ? { file: path, line, event } : { file: path, line, error });
    return undefined;
  });
  return { out, counters };
}

async function batches(path: string) {
  const counters = newCounters();
  const out: ParsedItem[] = [];
  for await (const b of parseFile(path, { refMs: Date.UTC(2026, 11, 7) }, counters)) out.push(...b);
  return { out, counters };
}

test('parseFileEach (the hunt fast path) yields what parseFile yields, on every real syslog file of the corpus', async () => {
  const dir = corpusPath('syslog');
  const files = readdirSync(dir).filter((f) => !/\.(expected\.(yml|json)|tsv|md)$/.test(f));
  assert.ok(files.length >= 10);
  let events = 0;
  for (const f of files) {
    const a = await each(join(dir, f));
    const b = await batches(join(dir, f));
    assert.deepEqual(a.out, b.out, f);
    assert.deepEqual(a.counters, b.counters, f);
    events += a.counters.events;
  }
  assert.ok(events > 300, `events: ${events}`);
});

test('parseFileEach counts blank, unparsable and oversized lines like parseFile', async () => {
  const f = join(mkdtempSync(join(tmpdir(), 'tw-parse-')), 'mixed.log');
  const long = '<189>12: r1: Nov 23 01:02:03.456 UTC: %SYS-5-CONFIG_I: Configured from console by ' + 'a'.repeat(MAX_LINE_BYTES);
  writeFileSync(f, ['', 'not a log line', '   ', long, '<189>13: r1: Nov 23 01:02:04.000 UTC: %SYS-5-CONFIG_I: Configured from console by bob on vty0 (10.0.0.1)', ''].join('\n'));
  const a = await each(f);
  const b = await batches(f);
  assert.deepEqual(a.out, b.out);
  assert.deepEqual(a.counters, b.counters);
  assert.equal(a.counters.oversized, 1);
  assert.equal(a.counters.errors, 1);
  assert.deepEqual(a.out.map((x) => x.line), [2, 4, 5]);
  assert.equal(a.out[1].event?.truncated, true);
});
