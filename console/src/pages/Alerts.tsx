import { useMemo, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { qs, type Alert, type ListPage } from '../api';
import { useApi } from '../hooks';
import { Evidence, Loadable, Pager, Panel, SeverityBadge, Time } from '../components/ui';
import { SEVERITY_ORDER } from '../format';

const LIMIT = 100;
const FIELDS = ['since', 'until', 'severity', 'detector', 'device', 'rule'] as const;

/** Whether an alert mentions a text (an address, account, word) anywhere: rule, entities, event, reasons. */
function mentions(a: Alert, needle: string): boolean {
  return JSON.stringify([a.rule.title, a.device, a.entities, a.event, a.reasons]).toLowerCase().includes(needle.toLowerCase());
}

/** Alerts with filters: where the Flows, Overview and Devices pages click through to. */
export function AlertsPage() {
  const [params, setParams] = useSearchParams();
  const cur = Object.fromEntries(FIELDS.map((k) => [k, params.get(k) ?? ''])) as Record<(typeof FIELDS)[number], string>;
  const offset = Number(params.get('offset') ?? 0) || 0;
  const find = params.get('find') ?? '';
  const [form, setForm] = useState({ ...cur, find });
  // `find` narrows the loaded page in the browser (the API filters by the other fields); with it, load the most the API gives.
  const list = useApi<ListPage<Alert>>(`alerts${qs({ ...cur, order: 'desc', limit: find ? 1000 : LIMIT, offset: find ? 0 : offset })}`);
  const found = useMemo(() => (list.data && find ? list.data.items.filter((a) => mentions(a, find)) : undefined), [list.data, find]);
  const go = (next: Record<string, string>, off = 0) => {
    const p = Object.fromEntries(Object.entries(next).filter(([, v]) => v));
    if (off) p.offset = String(off);
    setParams(p, { replace: true });
  };
  return (
    <>
      <div className="page-head"><h1 tabIndex={-1}>Alerts</h1></div>
      <form className="filters" role="search" aria-label="Filter alerts" onSubmit={(e: FormEvent) => { e.preventDefault(); go(form); }}>
        <label>Since<input value={form.since} onChange={(e) => setForm({ ...form, since: e.target.value })} placeholder="ISO time" data-search /></label>
        <label>Until<input value={form.until} onChange={(e) => setForm({ ...form, until: e.target.value })} placeholder="ISO time" /></label>
        <label>Severity at least
          <select value={form.severity} onChange={(e) => setForm({ ...form, severity: e.target.value })}>
            <option value="">any</option>
            {SEVERITY_ORDER.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>Detector
          <select value={form.detector} onChange={(e) => setForm({ ...form, detector: e.target.value })}>
            <option value="">any</option>
            {['audit', 'sigma', 'flows', 'intel', 'access'].map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <label>Device<input value={form.device} onChange={(e) => setForm({ ...form, device: e.target.value })} /></label>
        <label>Rule id<input value={form.rule} onChange={(e) => setForm({ ...form, rule: e.target.value })} /></label>
        <label>Mentions<input value={form.find} onChange={(e) => setForm({ ...form, find: e.target.value })} placeholder="address, account, word" /></label>
        <button type="submit">Apply</button>
      </form>
      <Panel title={found ? `${found.length} alerts mention ${find}${list.data && list.data.total > list.data.items.length ? ` (of the newest ${list.data.items.length})` : ''}` : list.data ? `${list.data.total} alerts` : 'Alerts'}>
        <Loadable data={list.data} error={list.error} loading={list.loading} empty={(d) => (found ?? d.items).length === 0}>
          {(d) => found ? <AlertList alerts={found} /> : (
            <>
              <AlertList alerts={d.items} />
              <Pager total={d.total} offset={offset} limit={LIMIT} onChange={(o) => go({ ...cur, find }, o)} />
            </>
          )}
        </Loadable>
      </Panel>
    </>
  );
}

export function AlertList({ alerts }: { alerts: Alert[] }) {
  return (
    <ul className="evidence-list">
      {alerts.map((a) => (
        <li key={a.id}>
          <details>
            <summary>
              <SeverityBadge severity={a.severity} /> <Time t={a.time} /> {a.device ? <b>{a.device}</b> : null} {a.rule.title}
              <span className="muted small"> · {a.detector} · {a.rule.id}{a.attack.length ? ` · ${a.attack.join(' ')}` : ''}</span>
            </summary>
            {a.device ? <p className="small"><Link to={`/devices/${encodeURIComponent(a.device)}`}>device {a.device}</Link></p> : null}
            <Evidence alert={a} />
          </details>
        </li>
      ))}
    </ul>
  );
}
