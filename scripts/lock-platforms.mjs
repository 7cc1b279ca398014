// The npm registry reachable here serves only the linux-x64 builds of packages that ship per-platform
// binaries (DuckDB, esbuild, rollup...). `npm install` then leaves the other platforms' optional packages
// out of package-lock.json, and `npm ci` refuses the lock as out of sync. This script adds lock entries for
// those optional platform packages (with their os/cpu, so npm skips them on other machines without fetching).
// Run it after every `npm install`; `--check` (run by `npm run lint`) fails if any entry is missing.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'android', 'openharmony', 'cygwin'];
const CPU = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 'ppc64le', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32', 'x86_64', 'aarch64', 'universal'];
const check = process.argv.includes('--check');
const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const missing = [];
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    // optional deps resolve next to the parent or at the top level
    const nested = `${path ? path + '/' : ''}node_modules/${name}`;
    const top = `node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[top]) continue;
    const parts = name.split(/[/-]/);
    const os = OS.filter((o) => parts.includes(o));
    let cpu = CPU.filter((c) => parts.includes(c)).map((c) => (c === 'x86_64' ? 'x64' : c === 'aarch64' ? 'arm64' : c));
    if (!os.length && !parts.includes('wasm32') && !parts.includes('wasi')) continue; // not a platform package: leave to npm
    if (cpu.includes('universal')) cpu = ['x64', 'arm64'];
    const entry = { version, optional: true };
    if (os.length) entry.os = os;
    if (cpu.length) entry.cpu = cpu;
    if (parts.includes('musl')) entry.libc = ['musl'];
    if (parts.includes('gnu')) entry.libc = ['glibc'];
    if (parts.includes('wasm32') || parts.includes('wasi')) { entry.cpu = ['wasm32']; }
    missing.push([top, entry]);
  }
}
if (check) {
  if (missing.length) {
    console.error(`package-lock.json lacks ${missing.length} optional platform package(s) (${missing.slice(0, 3).map((m) => m[0]).join(', ')}...): run \`node scripts/lock-platforms.mjs\``);
    process.exit(1);
  }
  process.exit(0);
}
for (const [k, v] of missing) lock.packages[k] = v;
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${missing.length} optional platform entries to package-lock.json`);
