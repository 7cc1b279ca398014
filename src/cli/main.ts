#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { EXIT_ERROR, UsageError } from './exit.js';
import { SiteError } from '../site/load.js';
import { commands } from './commands.js';

// `tidewatch audit configs/ | head`: the reader went away; stop quietly as other Unix tools do (no stack trace).
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();
program
  .name('tidewatch')
  .description('Find, and keep out, state-sponsored espionage in telecom and ISP networks.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage and examples)')
  .exitOverride();

for (const register of commands) register(program);

program.addHelpText('after', `
Examples:
  tidewatch audit --site tidewatch.yml configs/
  tidewatch hunt --format jsonl logs/router*.log.gz
  tidewatch flows read --format jsonl capture.pcap
  tidewatch serve --site tidewatch.yml

Exit status: 0 nothing found, 1 findings, 2 usage, input or rule error.`);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(0);
    process.exit(EXIT_ERROR);
  }
  if (e instanceof UsageError || e instanceof SiteError) {
    process.stderr.write(`tidewatch: ${e.message}\n`);
    process.exit(EXIT_ERROR);
  }
  process.stderr.write(`tidewatch: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(EXIT_ERROR);
}
