import type { Command } from 'commander';
import { dataDir, loadSite } from '../site/load.js';
import { isRole, ROLES, TokenStore } from '../serve/tokens.js';
import { parseFormat, renderTable, writeOut } from './output.js';
import { UsageError } from './exit.js';

export function register(program: Command): void {
  const token = program
    .command('token')
    .description('Manage API tokens for tidewatch serve (stored hashed in DATA/tokens.json)')
    .addHelpText('after', `
Roles: viewer (reads), analyst (also changes incidents, notes, indicator imports), admin (also tokens, suppressions).

Examples:
  TOKEN=$(tidewatch token create --role analyst --name alice)
  tidewatch token list
  tidewatch token revoke 3f9a1c0b2e4d`);

  token
    .command('create')
    .description('Make a token and print it on stdout (shown only this once)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <text>', 'who or what the token is for')
    .option('--site <file>', 'site file')
    .option('--data <dir>', 'data directory')
    .action((opts: { role: string; name?: string; site?: string; data?: string }) => {
      if (!isRole(opts.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got "${opts.role}")`);
      const store = TokenStore.forData(dataDir(opts.data, loadSite(opts.site)));
      const { token: text } = store.create(opts.role, opts.name);
      process.stdout.write(text + '\n');
    });

  token
    .command('list')
    .description('List tokens (id, name, role, created; never the token text)')
    .option('--format <fmt>', 'table, json or jsonl')
    .option('--site <file>', 'site file')
    .option('--data <dir>', 'data directory')
    .action(async (opts: { format?: string; site?: string; data?: string }) => {
      const fmt = parseFormat(opts.format, ['table', 'json', 'jsonl']);
      const rows = TokenStore.forData(dataDir(opts.data, loadSite(opts.site))).list();
      if (fmt === 'json') await writeOut(JSON.stringify(rows, null, 2) + '\n');
      else if (fmt === 'jsonl') await writeOut(rows.map((r) => JSON.stringify(r) + '\n').join(''));
      else await writeOut(renderTable(rows, [
        { header: 'id', get: (r) => r.id }, { header: 'name', get: (r) => r.name }, { header: 'role', get: (r) => r.role }, { header: 'created', get: (r) => r.created },
      ]));
    });

  token
    .command('revoke')
    .description('Revoke a token by id (or by name when only one token has it)')
    .argument('<id>', 'token id or name')
    .option('--site <file>', 'site file')
    .option('--data <dir>', 'data directory')
    .action((id: string, opts: { site?: string; data?: string }) => {
      let gone;
      try {
        gone = TokenStore.forData(dataDir(opts.data, loadSite(opts.site))).revoke(id);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      if (!gone) throw new UsageError(`no token with id or name "${id}"`);
      process.stderr.write(`tidewatch: revoked token ${gone.id}${gone.name ? ` (${gone.name})` : ''}\n`);
    });
}
