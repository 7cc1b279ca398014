/**
 * Hides secrets (passwords, keys, SNMP communities, URL credentials) in command and message text before it is
 * printed or stored. Detection runs on the original text; only output is redacted (unless --show-secrets).
 */
const PATTERNS: [RegExp, string][] = [
  // IOS/NX-OS/EOS: "secret 5 $1$..", "password 7 0822..", "password foo"
  // (not the English of log messages: "Accepted password for alice", "password changed for", "password authentication")
  [/\b(secret|password|passwd)(\s+(?:[0-9]\s+)?)(?!\*|(?:for|from|to|of|on|is|was|has|changed|expired|authentication|incorrect|invalid|check|failure|failed|accepted|reset|change|policy|mismatch|required|prompt)\b)("[^"]*"|\S+)/gi, '$1$2<redacted>'],
  // "key 7 XXX", "key XXX" after tacacs/radius/ntp/isakmp/server stanzas, "key-string XXX", "pre-shared-key XXX"
  [/\b(key-string|pre-shared-key(?: (?:local|remote))?|authentication-key \d+ md5|server-private \S+ key|(?:tacacs|radius)-server(?: host \S+)?(?: \S+ \S+)* key|^\s*key)(\s+(?:[0-9]\s+)?)("[^"]*"|\S+)/gim, '$1$2<redacted>'],
  [/\b(crypto isakmp key)(\s+)(\S+)/gi, '$1$2<redacted>'],
  [/\b(key [0-7])(\s+)(\S+)/gi, '$1$2<redacted>'],
  // SNMP communities
  [/\b(snmp-server community|snmp community|community-string)(\s+)("[^"]*"|\S+)/gi, '$1$2<redacted>'],
  // Junos "encrypted-password "$6$..."", "secret "$9$...""
  [/\b(encrypted-password|authentication-key|secret)(\s+)("[^"]*")/gi, '$1$2"<redacted>"'],
  // key=value and key: value forms in log lines ("password=..", "secret: ..")
  [/\b(password|passwd|secret)(\s*[=:]\s*)(?!<redacted>)("[^"]*"|[^\s,;]+)/gi, '$1$2<redacted>'],
  // credentials inside URLs: ftp://user:pass@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^@\s/]+)@/gi, '$1<redacted>@'],
];

export function redactSecrets(text: string): string {
  if (!/secret|pass|key|community|:\/\//i.test(text)) return text;
  let t = text;
  for (const [re, rep] of PATTERNS) t = t.replace(re, rep);
  return t;
}

/** A copy of an object whose string values (top level and one nested level) have secrets redacted. */
export function redactObject<T extends Record<string, unknown>>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const k in obj) {
    const v = obj[k];
    if (typeof v === 'string') out[k] = redactSecrets(v);
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const inner: Record<string, unknown> = {};
      for (const k2 in v as Record<string, unknown>) {
        const v2 = (v as Record<string, unknown>)[k2];
        inner[k2] = typeof v2 === 'string' ? redactSecrets(v2) : v2;
      }
      out[k] = inner;
    } else out[k] = v;
  }
  return out as T;
}
