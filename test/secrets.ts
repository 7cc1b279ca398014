import { readFileSync, readdirSync } from 'node:fs';
import { corpusPath } from './corpus.js';

/**
 * Known secrets of the config corpus, found by construct-specific patterns written independently of
 * src/parsers/configs/redact.ts (which works on tokens after keywords), plus hash shapes ($1$, $6$, $9$...).
 */
const PATTERNS = [
  /\b(?:password|secret|passwd|passphrase|key-string|encrypted-password|authentication-key|privacy-key|privacy-password|authentication-password|pre-shared-key|simple-password)\s+(?:(?:\d{1,2}|sha512|sha256|md5|encrypted|ascii-text|hexadecimal-text|type \S+ value)\s+)*("[^"]*"|[^\s;]+)/g,
  /^\s*(?:tacacs-server|radius-server|server-private|key|crypto isakmp key|pre-shared-key|tacacs-server host|radius-server host|aaa-server)\b.*?\bkey\s+(?:[067]\s+)?("[^"]*"|[^\s;]+)/g,
  /^\s*(?:set )?snmp(?:-server)? community\s+("[^"]*"|[^\s;{]+)/g,
  /^\s*community\s+("[^"]*"|[^\s;{]+)\s*\{/g,
  /\$(?:1|5|6|8|9|14)\$[^\s";]+/g,
  /\b(?:auth|priv)\s+(?:md5|sha\S*|aes\S*|des|3des)\s+(?:\d+\s+)?([^\s;]+)/g,
  /snmp-server host \S+ (?:traps |informs )?version (?:1|2c) (?:encrypted |clear )?([^\s;]+)/g,
  /^\s*standby \d+ authentication (?!md5)(\S+)/g,
];
/** Words the patterns can catch that are settings, not secrets. */
const NOT_SECRET = /^(?:password|encryption|address|lifetime|\d{1,2}|<redacted>|aes|md5|sha|sha1|sha256|sha512|policy|chain|auth|priv|0x|ro|rw|encrypted|local|default|)$/i;

export interface KnownSecret { file: string; line: number; text: string; token: string }

export function corpusSecrets(): KnownSecret[] {
  const dir = corpusPath('configs');
  const out: KnownSecret[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cfg')).sort()) {
    const lines = readFileSync(`${dir}/${file}`, 'utf8').split('\n');
    lines.forEach((text, i) => {
      for (const re of PATTERNS) {
        for (const m of text.matchAll(re)) {
          const token = (m[1] ?? m[0]).replace(/^"|"$/g, '');
          if (token.length < 3 || NOT_SECRET.test(token)) continue;
          out.push({ file, line: i + 1, text, token });
        }
      }
    });
  }
  return out;
}

/** Tokens distinctive enough to search for in whole outputs (long, and bounded by blanks or quotes there). */
export function distinctive(secrets: readonly KnownSecret[]): string[] {
  return [...new Set(secrets.map((s) => s.token).filter((t) => t.length >= 6))];
}

export function containsToken(haystack: string, token: string): boolean {
  const esc = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[\\s"'>;:,])${esc}(?=$|[\\s"'<;:,\\\\])`).test(haystack);
}
