import type { Command } from 'commander';
import { HuntEngine } from '../pipeline/hunt.js';
import { formatProblem } from '../detectors/sigma/index.js';
import { JsonlWriter, parseFormat, renderTable, writeOut } from './output.js';
import { EXIT_ERROR, EXIT_OK, UsageError } from './exit.js';

/** `tidewatch rules check PATH...`: validates Sigma rules and prints why a rule is rejected (file, YAML line, reason). */
export function register(program: Command): void {
  const rules = program.command('rules').description('Work with Sigma rules');
  rules
    .command('check')
    .description('Validate Sigma rules (detections, correlations, filters) against the specification and the pipeline')
    .argument('<paths...>', 'rule files or folders')
    .option('--pipeline <name>', 'processing pipeline: a name in rules/pipelines/ or a file', 'tidewatch')
    .option('--format <fmt>', 'table | jsonl', 'table')
    .option('--warnings', 'also list lint warnings (the rules still load)')
    .addHelpText('after', `
Prints one line per rejected rule: FILE:LINE: [RULE] REASON, then counts. With --format jsonl, one object per
problem: {"severity":"error"|"warning","file","line","rule","reason"}.
Exit status: 0 every rule loads, 2 at least one rule was rejected.

Examples:
  tidewatch rules check rules/sigma
  tidewatch rules check --warnings ../sigma/rules/network ../sigma/rules/linux`)
    .action(async (paths: string[], opts: { pipeline: string; format: string; warnings?: boolean }) => {
      const format = parseFormat(opts.format, ['table', 'jsonl'], 'table');
      let engine: HuntEngine;
      try {
        engine = new HuntEngine({ rules: paths, pipeline: opts.pipeline });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const problems = [
        ...engine.errors.map((p) => ({ severity: 'error', ...p })),
        ...(opts.warnings ? engine.warnings.map((p) => ({ severity: 'warning', ...p })) : []),
      ];
      const loaded = engine.sigma.ruleCount;
      if (format === 'jsonl') {
        const w = new JsonlWriter();
        for (const p of problems) await w.write({ severity: p.severity, file: p.file, line: p.line ?? null, rule: p.rule ?? null, reason: p.reason });
        await w.flush();
      } else {
        for (const p of problems) await writeOut(`${p.severity === 'error' ? 'REJECTED' : 'warning '} ${formatProblem(p)}\n`);
        const s = engine.sigma;
        await writeOut(renderTable([
          { k: 'files', v: engine.files.length },
          { k: 'documents', v: engine.parsed.documents },
          { k: 'loaded', v: `${loaded} (${s.rules.length} detections, ${s.correlations.length} correlations, ${engine.parsed.filters.length} filters applied ${s.filtersApplied} times)` },
          { k: 'rejected', v: engine.errors.length },
          { k: 'warnings', v: engine.warnings.length },
          { k: 'no event source', v: `${s.unrouted.length} (logsources no Tidewatch parser produces: they run on JSON Lines events with a matching logsource)` },
        ], [{ header: 'check', get: (r) => r.k }, { header: 'result', get: (r) => r.v, max: 140 }]));
      }
      process.exitCode = engine.errors.length ? EXIT_ERROR : EXIT_OK;
    });
}
