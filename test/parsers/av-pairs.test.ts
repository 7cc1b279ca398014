import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusPath } from '../corpus.js';
import { parseAvPairs, setAv, isSpace, AV_KEYS } from '../../src/parsers/tacacs.js';
import type { Event } from '../../src/model/event.js';

// Round 9 walks the space-separated head of a TACACS+ record in place instead of head.split(/\s+/). It must find the
// same tokens (maximal runs of characters `\s` does not match), the same first `=` in each, and keep the same keys.

test('isSpace is exactly the regex class \\s, on every UTF-16 code unit', () => {
  for (let c = 0; c < 0x10000; c++) assert.equal(isSpace(c), /\s/.test(String.fromCharCode(c)), `U+${c.toString(16)}`);
});

/** parseAvPairs as main had it for a space-separated record: split(/\s+/) of the head, then each AV pair on its own. */
function reference(text: string): Event {
  const ev = {} as Event;
  const ci = /(?:^|\s)cmd=/.exec(text);
  const head = ci ? text.slice(0, ci.index) : text;
  for (const tok of head.split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0 && AV_KEYS.has(tok.slice(0, eq))) setAv(ev, tok.slice(0, eq), tok.slice(eq + 1));
  }
  // the command part (code round 9 did not change): a text whose head is empty
  if (ci) parseAvPairs(text.slice(ci.index), ev);
  return ev;
}

function avTexts(): string[] {
  const out: string[] = [];
  const dir = corpusPath('syslog');
  for (const f of readdirSync(dir).filter((x) => /\.(log|txt|ini)$/.test(x))) {
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const i = l.search(/\b(task_id|timezone|service|priv-lvl)=/);
      if (i >= 0) for (let j = l.lastIndexOf(' ', i); j >= 0 && out.length < 5000; j = l.lastIndexOf(' ', j - 1)) out.push(l.slice(j + 1));
    }
  }
  return out;
}

test('the AV pairs of a space-separated record are those of split(/\\s+/) (corpus records, bench shapes, edge cases)', () => {
  const texts = avTexts();
  assert.ok(texts.length > 50, `corpus AV texts: ${texts.length}`);
  texts.push(
    'task_id=9323 start_time=1763856000.0 timezone=UTC service=shell priv-lvl=15 cmd=show version <cr>',
    'task_id=5049 service=shell priv-lvl=15 cmd=write memory <cr>',
    '  task_id=1   service=shell  ',
    'task_id=1\u00a0service=shell\u2003priv-lvl=7\u3000timezone=CET\ufeffelapsed_time=3',
    'task_id=1\u180eservice=shell \u0085timezone=UTC', // not white space: part of the token
    'task_id=1\vservice=shell\ftimezone=UTC\rpriv-lvl=1\nstatus=ok',
    'task_id==5 service=a=b =x priv-lvl= timezone',
    'cmd_arg=x cmd-arg=y unknown=z task_id=abc bytes_in=12 stop_time=1763856000',
    'cmd=show run task_id=3 timezone=UTC',
    'task_id=3 xcmd=foo cmd=',
    '',
    ' ',
    'task_id=7',
  );
  for (const t of texts) {
    const ev = {} as Event;
    parseAvPairs(t, ev);
    assert.equal(JSON.stringify(ev), JSON.stringify(reference(t)), JSON.stringify(t));
  }
});
