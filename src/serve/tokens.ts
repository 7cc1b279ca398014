import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** True when `have` includes the rights of `need` (viewer < analyst < admin). */
export function roleAllows(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** A stored token: never the token itself, only its SHA-256. */
export interface TokenRecord {
  id: string;
  name?: string;
  role: Role;
  /** hex SHA-256 of the token text. */
  hash: string;
  created: string;
}

/** What listing shows (no hash). */
export type TokenInfo = Omit<TokenRecord, 'hash'>;

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/**
 * API tokens, kept hashed in `DATA/tokens.json` (mode 0600). A file beside the store rather than a table in it:
 * DuckDB lets only one process open its file for writing, and `tidewatch token create` must work while the
 * service runs (the service sees new and revoked tokens within a second). Tokens are 256 random bits, so one
 * SHA-256 is enough to keep a stolen file from yielding usable tokens (no password stretching needed).
 */
export class TokenStore {
  private records: TokenRecord[] = [];
  private byHash = new Map<string, TokenRecord>();
  private mtimeMs = -1;
  private checkedAt = 0;

  constructor(readonly file: string) {
    this.reload();
  }

  static forData(dataDir: string): TokenStore {
    return new TokenStore(join(dataDir, 'tokens.json'));
  }

  private reload(): void {
    this.checkedAt = Date.now();
    if (!existsSync(this.file)) {
      this.records = [];
      this.mtimeMs = -1;
    } else {
      const st = statSync(this.file);
      if (st.mtimeMs === this.mtimeMs) return;
      let doc: { tokens?: TokenRecord[] };
      try {
        doc = JSON.parse(readFileSync(this.file, 'utf8')) as { tokens?: TokenRecord[] };
      } catch (e) {
        throw new Error(`${this.file}: not a valid token file: ${(e as Error).message}`);
      }
      this.records = (doc.tokens ?? []).filter((t) => t && typeof t.hash === 'string' && isRole(t.role));
      this.mtimeMs = st.mtimeMs;
    }
    this.byHash = new Map(this.records.map((r) => [r.hash, r]));
  }

  /** Re-reads the file when another process changed it (checked at most once a second). */
  private fresh(): void {
    if (Date.now() - this.checkedAt >= 1000) this.reload();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ tokens: this.records }, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
    this.mtimeMs = statSync(this.file).mtimeMs;
    this.byHash = new Map(this.records.map((r) => [r.hash, r]));
  }

  get count(): number {
    this.fresh();
    return this.records.length;
  }

  list(): TokenInfo[] {
    this.reload();
    return this.records.map(({ hash: _h, ...rest }) => rest);
  }

  /** Makes a new token; the returned text is shown once and never stored. */
  create(role: Role, name?: string, now = new Date()): { token: string; info: TokenInfo } {
    this.reload();
    const token = 'tw_' + randomBytes(32).toString('base64url');
    const rec: TokenRecord = { id: randomBytes(6).toString('hex'), ...(name ? { name } : {}), role, hash: sha256(token), created: now.toISOString() };
    this.records.push(rec);
    this.save();
    const { hash: _h, ...info } = rec;
    return { token, info };
  }

  /** Revokes by id (or by name when exactly one token has it). Returns what was removed. */
  revoke(idOrName: string): TokenInfo | undefined {
    this.reload();
    let rec = this.records.find((r) => r.id === idOrName);
    if (!rec) {
      const named = this.records.filter((r) => r.name === idOrName);
      if (named.length > 1) throw new Error(`${named.length} tokens are named "${idOrName}": revoke by id`);
      rec = named[0];
    }
    if (!rec) return undefined;
    this.records = this.records.filter((r) => r !== rec);
    this.save();
    const { hash: _h, ...info } = rec;
    return info;
  }

  /** The token's record when the text is a live token. */
  verify(token: string): TokenInfo | undefined {
    this.fresh();
    if (!token || token.length > 200) return undefined;
    const h = sha256(token);
    let rec = this.byHash.get(h);
    if (!rec && Date.now() - this.checkedAt > 50) {
      this.reload(); // a token made a moment ago by `tidewatch token create`
      rec = this.byHash.get(h);
    }
    if (!rec || !timingSafeEqual(Buffer.from(rec.hash, 'hex'), Buffer.from(h, 'hex'))) return undefined;
    const { hash: _h, ...info } = rec;
    return info;
  }
}
