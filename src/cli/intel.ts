import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { loadSite, dataDir } from '../site/load.js';
import { openStore } from '../store/open.js';
import { importIntel, loadMatcher, openMatcher, IntelInputError, type ImportReport, type IndicatorMatcher } from '../pipeline/intel.js';
import type { SiteConfig } from '../model/site.js';
import { parseIntelText } from '../parsers/intel/detect.js';
import { exportStix } from '../pipeline/intel-export.js';
import { pullTaxii } from '../sources/taxii.js';
import { EXIT_ERROR, UsageError } from './exit.js';
import { JsonlWriter, parseFormat, renderTable, warn, writeOut } from './output.js';
import { Progress } from './progress.js';

interface CommonOpts { site?: string; data?: string; db?: string; format?: string }

async function withStore<T>(o: CommonOpts, fn: (store: Awaited<ReturnType<typeof openStore>>, site: ReturnType<typeof loadSite>) => Promise<T>): Promise<T> {
  const site = loadSite(o.site);
  const store = await openStore({ data: dataDir(o.data, site), db: o.db });
  try { return await fn(store, site); } finally { await store.close(); }
}

function defaultFormat(): 'table' | 'jsonl' {
  return process.stdout.isTTY ? 'table' : 'jsonl';
}

function intOpt(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${name} must be an integer from ${min} to ${max} (got "${v}")`);
  return Number(v);
}

function timeOpt(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new UsageError(`${name} must be an ISO 8601 time such as 2026-11-01T00:00:00Z (got "${v}")`);
  return new Date(ms).toISOString();
}

async function readInput(ref: string): Promise<string> {
  if (/^https?:\/\//i.test(ref)) {
    const res = await fetch(ref, { headers: { accept: 'application/stix+json;version=2.1, application/json, text/plain;q=0.5' } });
    if (!res.ok) throw new IntelInputError(ref, `HTTP ${res.status} ${res.statusText}`);
    return await res.text();
  }
  if (ref === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try { return readFileSync(ref, 'utf8'); } catch (e) {
    throw new IntelInputError(ref, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message);
  }
}

/**
 * The matcher for `--iocs FILE...` / `--intel` on hunt, flows and audit: indicators read from the files plus, with
 * `--intel`, those imported into the store of the data directory. Undefined when neither is given.
 */
export async function loadIntelOption(o: { iocs?: string[]; intel?: boolean; data?: string; db?: string; site?: SiteConfig }): Promise<IndicatorMatcher | undefined> {
  if (!o.iocs?.length && !o.intel) return undefined;
  const files: { text: string; source: string }[] = [];
  for (const f of o.iocs ?? []) {
    try { files.push({ text: await readInput(f), source: /^https?:/i.test(f) ? f : basename(f) }); } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  for (const f of files) {
    // a batch command stops on a bad indicator file rather than matching half of it
    let parsed;
    try { parsed = parseIntelText(f.text, { source: f.source }); } catch (e) { throw new UsageError((e as Error).message); }
    if (parsed.rejected.length) {
      const r = parsed.rejected[0];
      throw new UsageError(`${f.source}: ${r.ref}: ${r.reason}${parsed.rejected.length > 1 ? ` (and ${parsed.rejected.length - 1} more)` : ''}`);
    }
  }
  try {
    if (!o.intel) return await openMatcher({ files });
    const store = await openStore({ data: dataDir(o.data, o.site), db: o.db });
    try { return await openMatcher({ files, store }); } finally { await store.close(); }
  } catch (e) {
    if (e instanceof IntelInputError) throw new UsageError(e.message);
    throw e;
  }
}

function printReportTable(r: ImportReport): string {
  const lines = [`${r.source}: ${r.format}: added ${r.added}, updated ${r.updated}, skipped ${r.skipped}, rejected ${r.rejected.length}`];
  for (const x of r.rejected) lines.push(`  rejected ${x.ref}: ${x.reason}`);
  for (const x of r.skipped_reasons) lines.push(`  skipped ${x.ref}: ${x.reason}`);
  for (const x of r.notes) lines.push(`  note ${x.ref}: ${x.note}`);
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  const intel = program.command('intel').description('threat indicators: import STIX 2.1 / MISP / lists, look up values, pull from TAXII, export sightings');

  intel.command('import')
    .description('import indicator files or URLs (STIX 2.1 bundle, MISP JSON event, or plain list; detected from content)')
    .argument('<input...>', 'files, http(s) URLs, or - for stdin')
    .option('--site <file>', 'site file', undefined)
    .option('--data <dir>', 'data directory')
    .option('--db <file>', 'store file (default: DATA/tidewatch.duckdb)')
    .option('--format <fmt>', 'table|json|jsonl')
    .option('--source <name>', 'source name stored with the indicators (default: the file name)')
    .option('--confidence <n>', 'confidence 0-100 for plain lists (STIX and MISP carry their own)')
    .option('--valid-days <n>', 'plain lists and MISP: indicators expire this many days after import')
    .option('--tlp <level>', 'plain lists: TLP marking (clear, green, amber, red)')
    .addHelpText('after', `
Examples:
  tidewatch intel import advisory-aa25-239a.json
  tidewatch intel import --source earth-estries --confidence 60 --valid-days 90 iocs.txt
  curl -s https://feed.example/misp-event.json | tidewatch intel import --format json -

Prints, per input, how many objects were added, updated (a newer version replaced the stored one), skipped
(unchanged, older, or not an indicator) and rejected, with the reason for each rejection. Re-importing the same
file changes nothing. Exit status: 0 imported, 2 an input could not be read at all.`)
    .action(async (inputs: string[], o: CommonOpts & { source?: string; confidence?: string; validDays?: string; tlp?: string }) => {
      const fmt = parseFormat(o.format, ['table', 'json', 'jsonl'], process.stdout.isTTY ? 'table' : 'table');
      const confidence = intOpt('--confidence', o.confidence, 0, 100);
      const validDays = intOpt('--valid-days', o.validDays, 1, 36500);
      if (o.tlp && !/^(tlp:)?(clear|white|green|amber|red)$/i.test(o.tlp)) throw new UsageError(`--tlp must be clear, green, amber or red (got "${o.tlp}")`);
      let failed = 0;
      const reports: ImportReport[] = [];
      await withStore(o, async (store) => {
        for (const input of inputs) {
          const source = o.source ?? (/^https?:/i.test(input) ? input : input === '-' ? 'stdin' : basename(input));
          try {
            const text = await readInput(input);
            const r = await importIntel(store, text, { source, confidence, validDays, tlp: o.tlp });
            reports.push(r);
            if (fmt === 'table') await writeOut(printReportTable(r));
            else if (fmt === 'jsonl') await writeOut(JSON.stringify(r) + '\n');
          } catch (e) {
            if (!(e instanceof IntelInputError)) throw e;
            failed++;
            warn(e.message);
          }
        }
      });
      if (fmt === 'json') {
        const sum = (k: 'added' | 'updated' | 'skipped') => reports.reduce((n, r) => n + r[k], 0);
        await writeOut(JSON.stringify({ added: sum('added'), updated: sum('updated'), skipped: sum('skipped'), rejected: reports.flatMap((r) => r.rejected.map((x) => ({ source: r.source, ...x }))), inputs: reports }, null, 2) + '\n');
      }
      if (failed) process.exitCode = EXIT_ERROR;
    });

  intel.command('lookup')
    .description('print the live indicators that match each value (IP, domain, URL or hash)')
    .argument('<value...>', 'values, or - to read one per line from stdin')
    .option('--site <file>', 'site file')
    .option('--data <dir>', 'data directory')
    .option('--db <file>', 'store file')
    .option('--format <fmt>', 'table|json|jsonl (default: table on a terminal, else jsonl)')
    .addHelpText('after', `
Examples:
  tidewatch intel lookup 45.125.67.144 materialplies.com
  cut -d' ' -f1 addresses.txt | tidewatch intel lookup --format jsonl -

Each matching value prints {"value","indicators":[{"id","pattern","source","confidence","valid_until"}]};
values that match nothing print nothing. An address matches indicator prefixes that contain it; a domain matches
indicators for it and for its parent domains. Revoked and expired indicators are not used.`)
    .action(async (values: string[], o: CommonOpts) => {
      const fmt = parseFormat(o.format, ['table', 'json', 'jsonl'], defaultFormat());
      await withStore(o, async (store) => {
        const matcher = await loadMatcher(store);
        const results: { value: string; indicators: { id: string; pattern: string; source: string; confidence: number | null; valid_until: string | null }[] }[] = [];
        const out = new JsonlWriter();
        const one = async (raw: string) => {
          const value = raw.trim();
          if (!value) return;
          const hits = matcher.matchValue(value);
          if (!hits.length) return;
          const seen = new Set<string>();
          const indicators = hits.filter((h) => !seen.has(h.indicator.id) && seen.add(h.indicator.id)).map((h) => ({
            id: h.indicator.id, pattern: h.indicator.pattern, source: h.indicator.source,
            confidence: h.indicator.confidence ?? null, valid_until: h.indicator.valid_until ?? null,
          }));
          const rec = { value, indicators };
          if (fmt === 'jsonl') await out.write(rec); else results.push(rec);
        };
        for (const v of values) {
          if (v === '-') {
            const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
            for await (const line of rl) await one(line);
          } else await one(v);
        }
        await out.flush();
        if (fmt === 'json') await writeOut(JSON.stringify(results, null, 2) + '\n');
        if (fmt === 'table') {
          const rows = results.flatMap((r) => r.indicators.map((i) => ({ value: r.value, ...i })));
          await writeOut(rows.length ? renderTable(rows, [
            { header: 'value', get: (r) => r.value },
            { header: 'indicator', get: (r) => r.id },
            { header: 'pattern', get: (r) => r.pattern, max: 60 },
            { header: 'source', get: (r) => r.source, max: 30 },
            { header: 'confidence', get: (r) => r.confidence },
            { header: 'valid until', get: (r) => r.valid_until },
          ]) : '');
        }
      });
    });

  intel.command('export')
    .description('write our sightings and incidents as a STIX 2.1 bundle to share with partners')
    .requiredOption('--since <time>', 'include alerts and incidents from this time (ISO 8601)')
    .option('--until <time>', 'up to this time (default: now)')
    .option('--format <fmt>', 'stix (a STIX 2.1 bundle)', 'stix')
    .option('--tlp <level>', 'TLP marking for everything shared: clear, green, amber, red', 'amber')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--site <file>', 'site file (its organization is the STIX identity)')
    .option('--data <dir>', 'data directory')
    .option('--db <file>', 'store file')
    .addHelpText('after', `
Examples:
  tidewatch intel export --since 2026-11-01T00:00:00Z --format stix > sightings.json
  tidewatch intel export --since 2026-11-20T00:00:00Z --tlp green --out share.json

The bundle holds one sighting per matched indicator (with observed-data for what we saw), incidents, our
identity (organization: in the site file) and the TLP marking definition (default TLP:AMBER).`)
    .action(async (o: CommonOpts & { since: string; until?: string; tlp: string; out?: string }) => {
      if (o.format !== 'stix') throw new UsageError(`--format must be stix (got "${o.format}")`);
      const since = timeOpt('--since', o.since)!;
      const until = timeOpt('--until', o.until);
      if (!/^(tlp:)?(clear|white|green|amber|red)$/i.test(o.tlp)) throw new UsageError(`--tlp must be clear, green, amber or red (got "${o.tlp}")`);
      await withStore(o, async (store, site) => {
        const bundle = await exportStix(store, site, { since, until, tlp: o.tlp });
        const text = JSON.stringify(bundle, null, 2) + '\n';
        if (o.out) writeFileSync(o.out, text); else await writeOut(text);
        warn(`exported ${bundle.objects.filter((x) => x.type === 'sighting').length} sighting(s), ${bundle.objects.filter((x) => x.type === 'incident').length} incident(s)`);
      });
    });

  intel.command('pull')
    .description('pull indicators from a TAXII 2.1 collection, paging, and resuming where the last pull stopped')
    .requiredOption('--taxii <url>', 'TAXII server: discovery URL or API root URL')
    .requiredOption('--collection <id>', 'collection id')
    .option('--user <name>', 'HTTP basic auth user')
    .option('--password <password>', 'HTTP basic auth password (or TIDEWATCH_TAXII_PASSWORD)')
    .option('--token <token>', 'bearer token (or TIDEWATCH_TAXII_TOKEN)')
    .option('--added-after <time>', 'only objects added after this time (default: where the last pull stopped)')
    .option('--limit <n>', 'objects per page', '1000')
    .option('--format <fmt>', 'table|json|jsonl')
    .option('--site <file>', 'site file')
    .option('--data <dir>', 'data directory')
    .option('--db <file>', 'store file')
    .addHelpText('after', `
Examples:
  tidewatch intel pull --taxii https://taxii.example.org/taxii2/ --collection 9c3f... --token "$TOKEN"
  tidewatch intel pull --taxii https://isac.example/api1/ --collection abc --user soc --password "$PW" --added-after 2026-11-01T00:00:00Z

Each page is stored before the next is requested, and the position is saved after every page, so an
interrupted pull resumes where it stopped. Exit status: 0 done, 2 error (the position reached is kept).`)
    .action(async (o: CommonOpts & { taxii: string; collection: string; user?: string; password?: string; token?: string; addedAfter?: string; limit: string }) => {
      const fmt = parseFormat(o.format, ['table', 'json', 'jsonl'], 'table');
      const limit = intOpt('--limit', o.limit, 1, 10000)!;
      const password = o.password ?? process.env.TIDEWATCH_TAXII_PASSWORD;
      const token = o.token ?? process.env.TIDEWATCH_TAXII_TOKEN;
      if (o.user && !password) throw new UsageError('--user needs --password (or TIDEWATCH_TAXII_PASSWORD)');
      if (o.user && token) throw new UsageError('give either --user/--password or --token, not both');
      const addedAfter = timeOpt('--added-after', o.addedAfter);
      await withStore(o, async (store) => {
        const progress = new Progress('pull');
        try {
          const r = await pullTaxii(store, {
            url: o.taxii, collection: o.collection, limit, addedAfter,
            auth: o.user ? { user: o.user, password: password! } : token ? { token } : undefined,
            onPage: (p) => progress.tick(p.objects, `page ${p.page}`),
          });
          progress.end();
          if (fmt === 'table') await writeOut(`${r.source}: ${r.pages} page(s), ${r.objects} object(s): added ${r.added}, updated ${r.updated}, skipped ${r.skipped}, rejected ${r.rejected.length}; next pull starts after ${r.resume ?? '(beginning)'}\n` +
            r.rejected.map((x) => `  rejected ${x.ref}: ${x.reason}\n`).join(''));
          else await writeOut(JSON.stringify(r, null, fmt === 'json' ? 2 : undefined) + '\n');
        } catch (e) {
          progress.end();
          throw new UsageError((e as Error).message);
        }
      });
    });
}
