// Runs every benchmark under bench/ (each bench/<name>/run.mjs or bench/<name>.mjs), one after another.
// `npm run bench -- NAME...` runs only the named ones.
import { readdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = [];
for (const name of readdirSync(here).sort()) {
  const p = join(here, name);
  if (statSync(p).isDirectory() && existsSync(join(p, 'run.mjs'))) benches.push([name, join(p, 'run.mjs')]);
  else if (name.endsWith('.mjs') && name !== 'run.mjs') benches.push([name.replace(/\.mjs$/, ''), p]);
}
let failed = 0;
for (const [name, file] of benches) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n=== bench/${name} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', file], { stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.log(`bench/${name} failed with status ${r.status}`); }
}
if (!benches.length) console.log('no benchmarks yet');
process.exit(failed ? 1 : 0);
