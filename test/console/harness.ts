// Shared by the console's end-to-end tests and its benchmark: the real `tidewatch serve` process, API tokens
// from `tidewatch token create`, and Debian's headless Chromium driven by playwright-core.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT } from '../corpus.js';

export const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
export const CHROMIUM = process.env.TIDEWATCH_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(REPO_ROOT, 'test-output', 'screenshots');

export function tidewatch(args: string[], opts: { input?: string; timeout?: number } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: opts.timeout ?? 120_000, input: opts.input, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function createToken(data: string, role: 'viewer' | 'analyst' | 'admin', name: string): string {
  const r = tidewatch(['token', 'create', '--role', role, '--name', name, '--data', data]);
  if (r.status !== 0) throw new Error(`token create failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

export interface RunningService {
  base: string;
  child: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `tidewatch serve` with HTTP on a free loopback port (other listeners as `listen` says, default off). */
export async function startService(data: string, listen: string[] = ['syslog-udp=off', 'syslog-tcp=off', 'syslog-tls=off', 'netflow=off'], site?: string): Promise<RunningService> {
  const args = [CLI, 'serve', '--data', data, '--listen', 'http=127.0.0.1:0', ...listen.flatMap((l) => ['--listen', l]), ...(site ? ['--site', site] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: data });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`tidewatch serve printed no listening line in 60 s: ${err}`)), 60_000);
    const check = () => {
      const m = /listening http 127\.0\.0\.1:(\d+)/.exec(err);
      if (m) { clearTimeout(t); resolve(Number(m[1])); }
    };
    child.stderr!.on('data', check);
    child.once('exit', (c) => { clearTimeout(t); reject(new Error(`tidewatch serve exited ${c}: ${err}`)); });
  });
  const base = `http://127.0.0.1:${port}/`;
  return {
    base, child, stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and failed requests seen so far. */
  errors: string[];
  close: () => Promise<void>;
}

/** Headless Chromium with a fresh profile; every console error, page error and failed request is recorded. */
export async function launchBrowser(viewport = { width: 1440, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tw-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport,
    acceptDownloads: true,
  });
  const errors: string[] = [];
  const watch = (page: Page) => {
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console error on ${page.url()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`uncaught ${e.name}: ${e.message}`));
    page.on('requestfailed', (r) => { if (!/net::ERR_ABORTED/.test(r.failure()?.errorText ?? '')) errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`); });
  };
  context.on('page', watch);
  const page = context.pages()[0] ?? await context.newPage();
  watch(page);
  return {
    context, page, errors,
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/** Writes SCREENSHOTS/name.png: the whole page, or (fullPage false: for 4K screens and very long pages) what is in view. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
