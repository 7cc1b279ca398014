import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectPlatformDetailed } from '../../../src/parsers/configs/detect.js';
import { parseConfig, ConfigError, walk } from '../../../src/parsers/configs/parse.js';
import { corpusPath } from '../../corpus.js';

const manifest = readFileSync(corpusPath('configs', 'MANIFEST.tsv'), 'utf8').trim().split('\n').slice(1)
  .map((l) => l.split('\t'))
  .map(([file, os, , , , lines]) => ({ file, os, lines: Number(lines) }));

test('the corpus manifest lists the files we expect to read', () => {
  assert.ok(manifest.length >= 120, `manifest has ${manifest.length} rows`);
});

test('every corpus file loads without an exception, and the platform agrees with MANIFEST.tsv for >= 95%', () => {
  let agree = 0;
  const disagree: string[] = [];
  const notConfig: string[] = [];
  for (const m of manifest) {
    const text = readFileSync(corpusPath('configs', m.file), 'utf8');
    const want = m.os === 'junos-set' ? 'junos' : m.os;
    const d = detectPlatformDetailed(text);
    const formOk = m.os === 'junos-set' ? d.form === 'set' : m.os === 'junos' ? d.form === 'curly' : true;
    if (d.platform === want && formOk) agree++;
    else disagree.push(`${m.file}: manifest ${m.os}, detected ${d.platform}${d.platform === 'junos' ? ` (${d.form})` : ''}`);
    try {
      const tree = parseConfig(text, m.file);
      assert.equal(tree.platform, d.platform);
      assert.ok(tree.nodes.length > 0);
      assert.ok(tree.hostname.length > 0, `${m.file}: no hostname`);
    } catch (e) {
      assert.ok(e instanceof ConfigError, `${m.file}: threw ${(e as Error).stack}`);
      notConfig.push(`${m.file}: ${(e as Error).message}`);
    }
  }
  const pct = (100 * agree) / manifest.length;
  const report = `platform agreement with MANIFEST.tsv: ${agree}/${manifest.length} = ${pct.toFixed(1)}%`;
  console.log(report);
  for (const d of disagree) console.log(`  disagrees: ${d}`);
  for (const n of notConfig) console.log(`  not a config: ${n}`);
  assert.ok(pct >= 95, report);
});

test('every statement keeps its original line number (corpus-wide)', () => {
  let checked = 0;
  for (const m of manifest) {
    const text = readFileSync(corpusPath('configs', m.file), 'utf8');
    let tree;
    try { tree = parseConfig(text, m.file); } catch { continue; }
    const norm = (s: string) => s.trim().replace(/\s+/g, ' ');
    for (const n of walk(tree.nodes)) {
      assert.ok(n.line >= 1 && n.line <= tree.lines.length, `${m.file}: line ${n.line} out of range`);
      const raw = norm(tree.lines[n.line - 1]);
      if (tree.form === 'indent') assert.equal(n.text, raw, `${m.file}:${n.line}`);
      else if (tree.form === 'set') assert.ok(raw.startsWith('set ') ? raw.slice(4).replace(/;$/, '') === n.text : raw === n.text, `${m.file}:${n.line}: ${raw} vs ${n.text}`);
      else {
        // curly: the statement ends with what the line says (a leaf `x;` or an empty block `x { }`)
        const leaf = raw.replace(/\s*(?:##.*|#.*)$/, '').replace(/[;{}\s]+$/, '').replace(/^(?:inactive|protect|replace): /, '');
        assert.ok(leaf.length > 0 && n.text.endsWith(leaf.split(' ').pop()!), `${m.file}:${n.line}: "${raw}" vs "${n.text}"`);
      }
      checked++;
    }
  }
  assert.ok(checked > 30000, `only ${checked} statements checked`);
});
