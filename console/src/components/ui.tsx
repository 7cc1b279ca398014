import type { ReactNode } from 'react';
import type { Alert, ConfigChange, Severity, SeverityCounts } from '../api';
import { SEVERITY_ORDER, fmtTime, stateLabel } from '../format';
import { ConfigChangeOf } from './ConfigChange';

export function Panel({ title, children, actions, className, id }: { title: ReactNode; children: ReactNode; actions?: ReactNode; className?: string; id?: string }) {
  const headingId = id ? `${id}-h` : undefined;
  return (
    <section className={`panel ${className ?? ''}`} aria-labelledby={headingId} id={id}>
      <header className="panel-head">
        <h2 id={headingId}>{title}</h2>
        {actions ? <div className="panel-actions">{actions}</div> : null}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

/** Loading / error / empty states around a loaded value. */
export function Loadable<T>({ data, error, loading, empty, children }: {
  data: T | undefined; error?: string; loading?: boolean; empty?: (d: T) => boolean; children: (d: T) => ReactNode;
}) {
  if (data === undefined) {
    if (error) return <p className="error" role="alert">Could not load: {error}</p>;
    return <p className="muted" aria-busy={loading ? 'true' : undefined}>Loading…</p>;
  }
  return (
    <>
      {error ? <p className="error" role="alert">Refresh failed: {error}</p> : null}
      {empty && empty(data) ? <p className="muted">Nothing to show.</p> : children(data)}
    </>
  );
}

export function SeverityBadge({ severity }: { severity: Severity | string }) {
  return <span className={`sev sev-${severity}`}>{severity}</span>;
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`state state-${state}`}>{stateLabel(state)}</span>;
}

/** `critical 2 · high 5 …` with each count coloured; zero counts are left out. */
export function SeverityCountsView({ counts }: { counts: SeverityCounts | undefined }) {
  const parts = SEVERITY_ORDER.filter((s) => (counts?.[s] ?? 0) > 0);
  if (parts.length === 0) return <span className="muted">none</span>;
  return (
    <span className="sev-counts">
      {parts.map((s) => (
        <span key={s} className={`sev-count sev-${s}`} title={`${counts?.[s]} ${s}`}>
          <span className="sev-count-n">{counts?.[s]}</span> {s}
        </span>
      ))}
    </span>
  );
}

export function Time({ t }: { t: string | undefined }) {
  return t ? <time dateTime={t}>{fmtTime(t)}</time> : <span className="muted">—</span>;
}

export function Pager({ total, offset, limit, onChange }: { total: number; offset: number; limit: number; onChange: (offset: number) => void }) {
  if (total <= limit && offset === 0) return <p className="muted small">{total} shown</p>;
  const last = Math.min(offset + limit, total);
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>Previous</button>
      <span>{total === 0 ? 0 : offset + 1}–{last} of {total}</span>
      <button type="button" disabled={last >= total} onClick={() => onChange(offset + limit)}>Next</button>
    </nav>
  );
}

/** Added and removed config lines of one section, as a unified diff. */
export function DiffView({ changes }: { changes: ConfigChange[] }) {
  if (changes.length === 0) return <p className="muted">No changes.</p>;
  return (
    <div className="diff">
      {changes.map((c, i) => (
        <div key={i} className="diff-section">
          <div className="diff-head">{c.section || '(global)'}</div>
          <pre>
            {c.removed.map((l, j) => <span key={`r${j}`} className="del">{`- ${l}\n`}</span>)}
            {c.added.map((l, j) => <span key={`a${j}`} className="add">{`+ ${l}\n`}</span>)}
          </pre>
        </div>
      ))}
    </div>
  );
}

function isChangeList(v: unknown): v is ConfigChange[] {
  return Array.isArray(v) && v.every((c) => c && typeof c === 'object' && Array.isArray((c as ConfigChange).added) && Array.isArray((c as ConfigChange).removed));
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const EVENT_FIRST = ['time', 'host', 'program', 'mnemonic', 'message', 'user', 'src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol', 'bytes', 'packets', 'command'];

/** The evidence of one alert: where it came from, the log line or flow or config lines, the reasons and the fix. */
export function Evidence({ alert }: { alert: Alert }) {
  const ev = alert.event ?? {};
  const raw = typeof ev.raw === 'string' ? ev.raw : typeof ev.line === 'string' ? ev.line : undefined;
  const diff = isChangeList(ev.diff) ? ev.diff : isChangeList(ev.changes) ? ev.changes : undefined;
  const configLines = Array.isArray(ev.config_lines) ? (ev.config_lines as unknown[]).map(scalar) : Array.isArray(ev.lines) ? (ev.lines as unknown[]).map(scalar) : undefined;
  // an audit finding names the offending config line in `message`: show it as config, with the change that made it
  const auditLine = alert.detector === 'audit' && !diff && !configLines && typeof ev.message === 'string' ? ev.message : undefined;
  const keys = Object.keys(ev).filter((k) => !['raw', 'line', 'diff', 'changes', 'config_lines', 'lines'].includes(k) && !(auditLine && k === 'message'));
  keys.sort((a, b) => {
    const ia = EVENT_FIRST.indexOf(a), ib = EVENT_FIRST.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const src = alert.source;
  return (
    <div className="evidence">
      {src ? (
        <p className="small">
          <span className="muted">source </span>
          <code>{src.file}{src.line ? `:${src.line}` : ''}{src.lines && src.lines.length ? ` (lines ${src.lines.slice(0, 20).join(', ')}${src.lines.length > 20 ? ', …' : ''})` : ''}</code>
        </p>
      ) : null}
      {raw ? <pre className="logline">{raw}</pre> : null}
      {configLines && configLines.length ? <pre className="config">{configLines.join('\n')}</pre> : null}
      {diff ? <DiffView changes={diff} /> : null}
      {auditLine ? <pre className="config">{auditLine}</pre> : null}
      {(auditLine || configLines?.length) && !diff && alert.device ? <ConfigChangeOf device={alert.device} lines={auditLine ? [auditLine] : configLines!} /> : null}
      {keys.length ? (
        <dl className="kv">
          {keys.map((k) => (
            <div key={k}><dt>{k}</dt><dd>{scalar(ev[k])}</dd></div>
          ))}
        </dl>
      ) : null}
      {alert.reasons?.length ? (
        <ul className="reasons">{alert.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
      ) : null}
      {alert.correlation ? (
        <details><summary>Correlation</summary><pre>{JSON.stringify(alert.correlation, null, 2)}</pre></details>
      ) : null}
      {alert.remediation ? (<><h4>Remediation</h4><pre className="config">{alert.remediation}</pre></>) : null}
    </div>
  );
}

/** What a page shows when the running service was built without the capability it needs. */
export function Unavailable({ what }: { what: string }) {
  return (
    <p className="notice" role="status">
      {what} {what.endsWith('s') ? 'are' : 'is'} not available from this service: the capability is not part of the running build
      (the API answers 501 for it).
    </p>
  );
}
