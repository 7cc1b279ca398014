import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { corpusPath } from '../corpus.js';
import { parseLine } from '../../src/parsers/index.js';
import type { Event } from '../../src/model/event.js';

const DIR = corpusPath('syslog');
const REF = Date.UTC(2026, 10, 23);

/** The raw log lines of a corpus file: every line of *.log, `log N pass = <line>` of *.ini, the buffer of *.txt. */
function linesOf(file: string): string[] {
  const text = readFileSync(`${DIR}/${file}`, 'utf8');
  // INI (Python configparser) escapes % as %%
  if (file.endsWith('.ini')) return [...text.matchAll(/^log \d+ pass = (.*)$/gm)].map((m) => m[1].replace(/%%/g, '%'));
  if (file.endsWith('.txt')) {
    // "show logging": the records follow the buffer header; everything before is CLI status output
    const lines = text.split('\n');
    const i = lines.findIndex((l) => /^Log Buffer|^\s*ASDM logging|^\s*History logging/.test(l));
    return lines.slice(i + 1).filter((l) => l.trim() !== '' && !/^\s+\S/.test(l) && !/^\s*(Device ID|Mail logging|ASDM logging)/.test(l));
  }
  return text.split('\n').filter((l) => l.length > 0);
}

const STAMP = /\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} +(?:\d{4} +)?\d{1,2}:\d\d:\d\d|\d{4}-\d\d-\d\d[T ]\d\d:\d\d/;

/**
 * Fully parsed: the message id or program and the message text were found, and the time too when the line
 * holds a stamp (ASA and logtest lines often carry only the message body).
 */
function full(e: Event, line: string): boolean {
  if (STAMP.test(line.slice(0, 80)) && typeof e.time !== 'string') return false;
  return (e.mnemonic !== undefined || e.program !== undefined) && typeof e.message === 'string';
}

const files = readdirSync(DIR).filter((f) => /\.(log|txt|ini)$/.test(f)).sort();

test('syslog corpus: every file parses; share of lines parsed fully is reported', () => {
  let total = 0, parsed = 0, fully = 0;
  const perFile: string[] = [];
  for (const f of files) {
    const lines = linesOf(f);
    let p = 0, fu = 0;
    for (const l of lines) {
      const r = parseLine(l, { refMs: REF, file: f });
      assert.ok(r.event || r.error, 'parseLine answers');
      if (r.event) { p++; if (full(r.event, l)) fu++; }
    }
    total += lines.length; parsed += p; fully += fu;
    perFile.push(`${f}: ${lines.length} lines, ${p} parsed, ${fu} fully`);
  }
  const share = fully / total;
  console.log(`syslog corpus: ${files.length} files, ${total} lines, ${parsed} parsed (${(100 * parsed / total).toFixed(1)}%), ${fully} fully (${(100 * share).toFixed(1)}%)`);
  for (const s of perFile) console.log('  ' + s);
  assert.ok(files.length >= 20, 'corpus files found');
  assert.ok(parsed / total >= 0.97, `parsed share ${parsed}/${total}`);
  assert.ok(share >= 0.9, `fully parsed share ${fully}/${total}`);
});

test('syslog corpus: fields agree with the TextFSM expectations of show logging output', () => {
  let compared = 0;
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.expected.yml'))) {
    const txt = f.replace('.expected.yml', '.txt');
    const expected = (parseYaml(readFileSync(`${DIR}/${f}`, 'utf8')) as { parsed_sample: Record<string, string | string[]>[] }).parsed_sample;
    const events = linesOf(txt).map((l) => parseLine(l, { refMs: REF }).event).filter((e): e is Event => Boolean(e));
    for (const x of expected) {
      const sev = x.severity as string;
      const mnem = sev ? `${x.facility as string}-${sev}-${x.mnemonic as string}` : `${x.facility as string}-${x.mnemonic as string}`;
      const msg0 = (x.message as string[])[0];
      const e = events.find((ev) => ev.mnemonic === mnem && typeof ev.message === 'string' && ev.message.trim() === msg0.trim());
      assert.ok(e, `${txt}: no event for ${mnem}: ${msg0}`);
      if (sev) assert.equal(e.severity, Number(sev), `${txt} severity`);
      if (x.number) assert.equal(e.seq, Number(x.number), `${txt} sequence number`);
      if (x.month && x.time && e.time) {
        const d = new Date(e.time as string);
        const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
        const t = x.time as string;
        if (!x.timezone) {
          assert.equal(months[d.getUTCMonth()], x.month, `${txt} month`);
          assert.equal(d.getUTCDate(), Number(x.day), `${txt} day`);
          const hms = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}`;
          assert.equal(hms, t.slice(0, 8).padStart(8, '0'), `${txt} time`);
        }
        if (x.year) assert.equal(d.getUTCFullYear(), Number(x.year), `${txt} year`);
        if (t.includes('.')) assert.equal(d.getUTCMilliseconds(), Number(t.split('.')[1].slice(0, 3).padEnd(3, '0')), `${txt} milliseconds`);
      }
      compared++;
    }
  }
  console.log(`show logging expectations: ${compared} records compared`);
  assert.ok(compared >= 30, `${compared} records`);
});

test('syslog corpus: fields agree with the ECS documents expected for Cisco ISE TACACS+ accounting and IOS BADAUTH', () => {
  let compared = 0;
  for (const [log, exp] of [
    ['ise__elastic-integrations__test-pipeline-tacacs-accounting.log', 'ise__elastic-integrations__test-pipeline-tacacs-accounting.expected.json'],
    ['ios__elastic-integrations__test-badauth.log', 'ios__elastic-integrations__test-badauth.expected.json'],
  ]) {
    const docs = (JSON.parse(readFileSync(`${DIR}/${exp}`, 'utf8')) as { expected: Record<string, any>[] }).expected; // eslint-disable-line @typescript-eslint/no-explicit-any
    const lines = linesOf(log);
    assert.equal(lines.length, docs.length, `${log}: one document per line`);
    docs.forEach((d, i) => {
      assert.equal(d.event.original, lines[i], 'line order');
      const e = parseLine(lines[i], { refMs: REF }).event;
      assert.ok(e, `${log}:${i + 1} parses`);
      if (d.user?.name) assert.equal(e.user, d.user.name, 'user.name -> user');
      if (d.client?.ip) assert.equal(e.src_ip, d.client.ip, 'client.ip -> src_ip');
      if (d.destination?.ip) assert.equal(e.nas ?? e.dst_ip, d.destination.ip, 'destination.ip -> nas / dst_ip');
      if (d.source?.ip) assert.equal(e.src_ip, d.source.ip, 'source.ip -> src_ip');
      if (d.source?.port) assert.equal(e.src_port, d.source.port, 'source.port');
      if (d.destination?.port) assert.equal(e.dst_port, d.destination.port, 'destination.port');
      if (d.message) assert.equal(e.message, d.message, 'message');
      if (d.event?.sequence) assert.equal(e.seq, d.event.sequence, 'sequence');
      if (d.event?.severity !== undefined) assert.equal(e.severity, d.event.severity, 'severity');
      const cmd = d.cisco_ise?.log?.cmdset as string | undefined;
      if (cmd) assert.equal(e.cmd, /CmdAV=(.*?)\s*<cr>/.exec(cmd)?.[1], 'CmdSet -> cmd');
      const tl = d.cisco_ise?.log?.avpair?.task_id;
      if (tl !== undefined) assert.equal(e.task_id, tl, 'AVPair task_id');
      const host = d.cisco_ise?.log?.network?.device?.name;
      if (host) assert.equal(e.host, host, 'NetworkDeviceName -> host');
      // year-less stamps get their year from the reference time, so only the full-year stamps are compared
      if (/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(lines[i]) || /\b(19|20)\d\d\b/.test(lines[i].slice(0, 40))) assert.equal(e.time, d['@timestamp'], '@timestamp -> time');
      compared++;
    });
  }
  assert.ok(compared >= 10);
});

test('syslog corpus: logtest lines carry the mnemonic the decoders expect', () => {
  // the OSSEC/Wazuh cases name the decoder (cisco-ios, cisco-asa, junos ...); our vendor must agree
  for (const f of files.filter((x) => x.endsWith('.ini'))) {
    const text = readFileSync(`${DIR}/${f}`, 'utf8');
    for (const block of text.split(/\n(?=\[)/)) {
      const dec = /^decoder = (\S+)/m.exec(block)?.[1];
      const want = dec?.startsWith('cisco') || dec === 'pix' ? 'cisco' : dec?.startsWith('junos') ? 'juniper' : undefined;
      if (!want) continue;
      for (const m of block.matchAll(/^log \d+ pass = (.*)$/gm)) {
        const e = parseLine(m[1].replace(/%%/g, '%'), { refMs: REF }).event;
        if (!e) continue;
        assert.equal(e.vendor, want, `${f}: ${m[1].slice(0, 80)}`);
      }
    }
  }
});
