import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSite } from '../site/load.js';
import { parseFormat } from './output.js';
import { runAudit } from './audit.js';

/** The repository's examples/ folder (beside dist/ or src/). */
export function examplesDir(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(d, 'examples', 'tidewatch.yml'))) return join(d, 'examples');
    d = dirname(d);
  }
  throw new Error('examples/ not found beside the installation');
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('Audit the sample fleet under examples/ (configs with planted problems) and print the report')
    .option('--format <format>', 'table|json|jsonl|sarif', 'table')
    .addHelpText('after', `
Examples:
  npm run demo
  tidewatch demo --format json | jq '.summary'

Always exits 0 when the demo ran (findings are the point of the demo); 2 on error.`)
    .action(async (opts: { format?: string }) => {
      const ex = examplesDir();
      const site = loadSite(join(ex, 'tidewatch.yml'));
      const configs = join(ex, 'configs');
      const rel = relative(process.cwd(), configs);
      const shown = rel && !rel.startsWith('..') ? rel : configs;
      process.stderr.write(`tidewatch demo: auditing the sample fleet in ${shown} with the site file ${relative(process.cwd(), site.path ?? '') || site.path}\n`);
      const code = await runAudit({
        paths: [shown],
        site,
        format: parseFormat(opts.format, ['table', 'json', 'jsonl', 'sarif']),
        failOn: 'none',
        showSecrets: false,
      });
      process.exitCode = code === 2 ? 2 : 0;
    });
}
