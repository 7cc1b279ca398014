import type { DetectedPlatform } from '../../model/config.js';

/**
 * Redaction of secrets in configuration lines: passwords, enable/user secrets and hashes, TACACS+/RADIUS
 * keys, NTP/OSPF/BGP/HSRP authentication keys, SNMP communities and v3 auth/priv keys, IKE pre-shared
 * keys, Junos `$9$`/`$6$` values. Used by `audit` evidence, diffs, the service and the drill.
 *
 * The line is split into tokens (quoted strings stay one token). After a secret keyword, type markers
 * (`7`, `sha512`, `ascii-text`, ...) are skipped and the next token becomes `<redacted>`. It errs on the
 * side of redacting: a word after `password` that is a setting rather than a secret may be hidden too.
 */
export const REDACTED = '<redacted>';

/** Keywords whose (next non-type-marker) token is a secret. */
const SECRET_KEYWORDS = new Set([
  'password', 'passwd', 'secret', 'passphrase', 'key', 'key-string', 'authentication-key', 'pre-shared-key',
  'encrypted-password', 'simple-password', 'area-password', 'domain-password', 'hello-password', 'lsp-password',
  'authentication-password', 'privacy-password', 'auth-password', 'priv-password', 'wpa-psk', 'psk', 'md5', 'sha',
  'sha1', 'sha224', 'sha256', 'sha384', 'sha512', 'hmac-sha2-256', 'hmac-sha-1', 'hmac-sha1', 'cmac-aes-128', 'priv',
  'shared-secret', 'secret-key', 'preshared-key', 'community', 'localizedkey-value', 'ascii-text', 'hexadecimal-text',
  'password-encryption', 'key-chain-secret', 'encryption-key',
]);

/** Tokens after a keyword that say how the secret is stored, not the secret itself. */
const TYPE_MARKER = /^(?:\d{1,2}|128|192|256|sha512|sha256|sha384|sha1|sha|md5|ascii|hex|encrypted|unencrypted|clear|cleartext|plain|des|3des|aes|aes128|aes192|aes256|aes-128|aes-192|aes-256|aes-cfb-128|ascii-text|hexadecimal-text|localizedkey|auth|value|type)$/i;

/** Tokens after a keyword that show it is not a secret at all (`key chain X`, `password encryption aes`). */
const NOT_SECRET_NEXT = new Set([
  'chain', 'config-key', 'generate', 'zeroize', 'encryption', 'exchange', 'address', 'storage', 'import', 'export',
  'policy', 'read', 'write', 'notify', 'access', 'context', 'match', 'hostname', 'keyring', 'pubkey-chain', 'rsa',
  'ec', 'dsa', 'string', 'minimum-length', 'maximum-length', 'change-type', 'minimum-changes', 'format',
  'minimum-character-changes', 'minimum-lower-cases', 'minimum-upper-cases', 'minimum-numerics',
  'minimum-punctuations', 'minimum-reuse', 'retry-options', 'min-length', 'history', 'reuse', 'lifetime',
  'dh-group', 'group', 'all', 'none', 'timeout', 'on-failure', 'max-retries', 'recovery', 'mode', 'accept-lifetime',
  'send-lifetime', 'cryptographic-algorithm', 'local', 'default', 'required', 'user-name', 'prompt', 'id',
  'aes-key', 'source', 'algorithm-type', 'authentication', 'server', 'port', 'protocol', 'version', 'ipv4', 'ipv6',
  'members', 'invert-match', 'redirect', 'encapsulation', 'export-policy', 'import-policy', 'level', 'remove',
  'additive', 'delete', 'set', 'add', 'list',
]);

const FAST = /pass|secret|key|communit|md5|sha|priv|psk|snmp-server host|authentication|hmac|cmac/i;
const HOST_RE = /^(\s*snmp-server host (?:[a-zA-Z][\w.-]* (?=\d))?\S+(?: (?:traps|informs))?(?: version (?:1|2c|3(?: (?:auth|noauth|priv))?))?(?: (?:udp-port|vrf) \S+)*(?: (?:encrypted|clear))?) ("[^"]*"|\S+)/;
const FHRP_RE = /^(\s*(?:standby|vrrp|glbp)(?: \d+)? authentication(?: text)? )(?!md5\b)("[^"]*"|\S+)/;

interface Tok { s: number; e: number }

function tokens(line: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    const s = i;
    if (line[i] === '"') {
      i++;
      while (i < n && line[i] !== '"') { if (line[i] === '\\') i++; i++; }
      i = Math.min(n, i + 1);
    } else {
      while (i < n && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
    }
    out.push({ s, e: i });
  }
  return out;
}

function stripPunct(t: string): string {
  return t.replace(/[;{}]+$/, '').toLowerCase();
}

/**
 * Replaces every secret in one configuration line by `<redacted>`. Leading indentation and spacing are kept.
 * `platform` narrows a few ambiguous keywords (`community` outside SNMP on Cisco-like platforms).
 */
export function redactLine(line: string, platform: DetectedPlatform = 'unknown'): string {
  if (!FAST.test(line)) return line;
  let out = line;
  const m1 = HOST_RE.exec(out);
  if (m1 && !/^(?:traps|informs|version|vrf|udp-port|community)$/i.test(m1[2])) out = m1[1] + ' ' + REDACTED + out.slice(m1[0].length);
  const m2 = FHRP_RE.exec(out);
  if (m2) out = m2[1] + REDACTED + out.slice(m2[0].length);
  const toks = tokens(out);
  const hide: Tok[] = [];
  const trimmed = out.trimStart();
  const snmpLine = platform === 'junos' || /^(?:set )?snmp/i.test(trimmed) || /^community /i.test(trimmed);
  for (let i = 0; i < toks.length; i++) {
    const w = stripPunct(out.slice(toks[i].s, toks[i].e));
    if (!SECRET_KEYWORDS.has(w)) continue;
    if (w === 'community' && !snmpLine) continue;
    if (w === 'key' && i > 0) {
      const prev = stripPunct(out.slice(toks[i - 1].s, toks[i - 1].e));
      if (prev === 'crypto' || prev === 'no') continue;
    }
    let j = i + 1;
    // `snmp-server community read ...`: any word can be a community, so no exceptions after `community`.
    if (w !== 'community' && j < toks.length && NOT_SECRET_NEXT.has(stripPunct(out.slice(toks[j].s, toks[j].e)))) continue;
    // `sha1 passphrase 7 X`: the next word is itself a secret keyword; let the loop handle it.
    if (j < toks.length && SECRET_KEYWORDS.has(stripPunct(out.slice(toks[j].s, toks[j].e))) && j < toks.length - 1 && w !== 'community') continue;
    // skip storage-type markers, but never past the last token (`password 7 X`, `secret sha512 $6$..`, `md5 X`)
    while (j < toks.length - 1 && TYPE_MARKER.test(stripPunct(out.slice(toks[j].s, toks[j].e)))) j++;
    if (j >= toks.length) continue;
    const tokText = out.slice(toks[j].s, toks[j].e);
    if (tokText === REDACTED || tokText === '{' || tokText === ';' || tokText === '[') continue;
    // `key 1` (key-chain id) and `ntp server x key 1` carry no secret: the number is a key id.
    if (w === 'key' && /^\d{1,5};?$/.test(tokText) && j === toks.length - 1 && (/^key \d+;?$/.test(trimmed) || /\bntp\b/.test(out))) continue;
    hide.push(toks[j]);
    i = j;
  }
  if (!hide.length) return out;
  let res = '';
  let last = 0;
  for (const t of hide) {
    const raw = out.slice(t.s, t.e);
    const tail = /[;]+$/.exec(raw)?.[0] ?? '';
    res += out.slice(last, t.s) + REDACTED + tail;
    last = t.e;
  }
  return res + out.slice(last);
}
