import type { Command } from 'commander';
import { parseFile, newCounters } from '../pipeline/parse.js';
import { PLATFORMS } from '../parsers/index.js';
import type { Platform } from '../parsers/index.js';
import { JsonlWriter, parseFormat, renderTable, writeOut, warn } from './output.js';
import { EXIT_ERROR, EXIT_OK, UsageError } from './exit.js';
import { redactObject } from '../util/redact.js';
import type { Event } from '../model/event.js';

/** `tidewatch parse`: what the parsers make of each input line (contract: docs/EVENTS.md, interfaces.md). */
export function register(program: Command): void {
  program
    .command('parse')
    .description('Parse log lines (syslog, TACACS+ accounting, Linux auth, JSON Lines) into normalized events, one output line per input line')
    .argument('<paths...>', 'log files (gzip detected by content); - reads stdin')
    .option('--format <fmt>', 'jsonl | json | table', 'jsonl')
    .option('--platform <name>', `force the platform where a line alone cannot tell (${PLATFORMS.join(', ')})`)
    .option('--time-field <field>', 'JSON Lines: the field holding the event time')
    .option('--raw', 'keep the original line as event.raw')
    .option('--show-secrets', 'print passwords, keys and SNMP communities found in commands instead of <redacted>')
    .addHelpText('after', `
Output (jsonl): one line per input line,
  {"source":{"file","line"},"event":{"time","host","facility","severity","program","mnemonic","message",...}}
  or {"source":{"file","line"},"error":"why"} for a line that could not be parsed (parsing goes on).
Event fields are documented in docs/EVENTS.md. A summary of counts goes to stderr.

Examples:
  tidewatch parse router.log
  zcat logs/*.gz | tidewatch parse -
  tidewatch parse --platform eos arista-switch.log
  tidewatch parse --format table tacacs.acct`)
    .action(async (paths: string[], opts: { format: string; platform?: string; timeField?: string; raw?: boolean; showSecrets?: boolean }) => {
      const format = parseFormat(opts.format, ['jsonl', 'json', 'table'], 'jsonl');
      if (opts.platform && !(PLATFORMS as readonly string[]).includes(opts.platform)) throw new UsageError(`--platform must be one of ${PLATFORMS.join(', ')}`);
      const counters = newCounters();
      const writer = new JsonlWriter();
      const all: Record<string, unknown>[] = [];
      let failed = false;
      const shape = (e: Event): Event => {
        const out: Event = {};
        for (const k in e) if (e[k] !== undefined && (opts.raw || k !== 'raw')) out[k] = e[k];
        return opts.showSecrets ? out : redactObject(out);
      };
      for (const path of paths) {
        try {
          for await (const batch of parseFile(path, { platform: opts.platform as Platform | undefined, timeField: opts.timeField }, counters)) {
            for (const it of batch) {
              const rec = it.event ? { source: { file: it.file, line: it.line }, event: shape(it.event) } : { source: { file: it.file, line: it.line }, error: it.error };
              if (format === 'jsonl') await writer.write(rec);
              else all.push(rec);
            }
          }
        } catch (e) {
          failed = true;
          warn(`${path}: ${(e as Error).message}`);
        }
      }
      await writer.flush();
      if (format === 'json') await writeOut(JSON.stringify(all, null, 2) + '\n');
      else if (format === 'table') {
        await writeOut(renderTable(all, [
          { header: 'line', get: (r) => `${(r.source as { file: string }).file}:${(r.source as { line: number }).line}` },
          { header: 'time', get: (r) => (r.event as Event | undefined)?.time ?? '' },
          { header: 'host', get: (r) => (r.event as Event | undefined)?.host ?? '', max: 24 },
          { header: 'platform', get: (r) => (r.event as Event | undefined)?.platform ?? '' },
          { header: 'kind', get: (r) => (r.event as Event | undefined)?.kind ?? '' },
          { header: 'mnemonic', get: (r) => (r.event as Event | undefined)?.mnemonic ?? (r.event as Event | undefined)?.program ?? '', max: 32 },
          { header: 'message', get: (r) => (r.event as Event | undefined)?.message ?? `ERROR: ${r.error as string}`, max: 90 },
        ]));
      }
      process.stderr.write(`tidewatch parse: ${counters.lines} lines, ${counters.events} events, ${counters.errors} unparsed${counters.oversized ? `, ${counters.oversized} oversized (cut)` : ''}\n`);
      process.exitCode = failed ? EXIT_ERROR : EXIT_OK;
    });
}
