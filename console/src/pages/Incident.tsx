import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { hasCapability, request, send, type AttackTable, type Incident, type IncidentDetail } from '../api';
import { useAuth } from '../auth';
import { useApi } from '../hooks';
import { AttackMatrix } from '../components/AttackMatrix';
import { TimelineChart } from '../components/Timeline';
import { Evidence, Loadable, Panel, SeverityBadge, StateBadge, Time } from '../components/ui';
import { STATES, fmtTime, stateLabel } from '../format';

export function IncidentPage() {
  const { id = '' } = useParams();
  const inc = useApi<IncidentDetail>(`incidents/${encodeURIComponent(id)}`);
  const attack = useApi<AttackTable>('attack');
  const [local, setLocal] = useState<IncidentDetail | undefined>();
  useEffect(() => { setLocal(inc.data); }, [inc.data]);
  const data = local ?? inc.data;

  return (
    <Loadable data={data} error={inc.error} loading={inc.loading}>
      {(d) => <IncidentView incident={d} attack={attack.data} onChange={(u) => setLocal({ ...d, ...u, alerts: d.alerts })} />}
    </Loadable>
  );
}

function IncidentView({ incident: d, attack, onChange }: { incident: IncidentDetail; attack: AttackTable | undefined; onChange: (i: Incident) => void }) {
  const { canEdit, me } = useAuth();
  const showExport = hasCapability(me, 'report') === true;
  const [compact, setCompact] = useState(false);
  const [openAlert, setOpenAlert] = useState<string | undefined>();
  const alertsById = useMemo(() => new Map(d.alerts.map((a) => [a.id, a])), [d.alerts]);
  const table: AttackTable = attack ?? { tactics: [...new Set(d.techniques.map((t) => t.tactic))], techniques: [] };
  const timeline = useMemo(() => [...d.timeline].sort((a, b) => a.time.localeCompare(b.time)), [d.timeline]);

  const pick = (alertId: string) => {
    setOpenAlert(alertId);
    setTimeout(() => document.getElementById(`alert-${alertId}`)?.focus(), 0);
  };

  return (
    <>
      <div className="page-head">
        <h1 tabIndex={-1}><SeverityBadge severity={d.severity} /> {d.title}</h1>
        <p className="muted small"><Link to="/incidents">Incidents</Link> / <code>{d.id}</code></p>
      </div>
      <dl className="facts">
        <div><dt>State</dt><dd data-testid="incident-state"><StateBadge state={d.state} /></dd></div>
        <div><dt>Assignee</dt><dd>{d.assignee ?? <span className="muted">unassigned</span>}</dd></div>
        <div><dt>First seen</dt><dd><Time t={d.first_seen} /></dd></div>
        <div><dt>Last seen</dt><dd><Time t={d.last_seen} /></dd></div>
        <div><dt>Alerts</dt><dd>{d.alert_ids.length}</dd></div>
        <div><dt>Techniques</dt><dd>{d.techniques.length}</dd></div>
        <div><dt>Devices</dt><dd>{d.devices.length}</dd></div>
      </dl>
      {d.merged_into ? <p className="notice">Merged into <Link to={`/incidents/${encodeURIComponent(d.merged_into)}`}>{d.merged_into}</Link>.</p> : null}
      {d.chains?.length || d.severity_reasons?.length ? (
        <ul className="why" aria-label="Why this incident matters">
          {(d.chains ?? []).map((c) => <li key={c.id}><span className="tag">{c.id}</span> {c.title}</li>)}
          {(d.severity_reasons ?? []).map((r, i) => <li key={i}><span className="tag">severity</span> {r}</li>)}
        </ul>
      ) : null}

      <div className="grid incident">
        <Panel title="Timeline" id="timeline" className="span-all">
          {timeline.length === 0 ? <p className="muted">No timeline entries.</p> : (
            <>
              <TimelineChart entries={timeline} tactics={table.tactics} onPick={pick} />
              <div className={timeline.length > 12 ? 'scroll-y' : ''} tabIndex={timeline.length > 12 ? 0 : undefined} role="region" aria-label={`Timeline entries (${timeline.length})`}>
              <table className="data timeline" aria-label="Timeline entries">
                <thead><tr><th scope="col">time</th><th scope="col">device</th><th scope="col">what</th><th scope="col">technique</th><th scope="col">tactic</th></tr></thead>
                <tbody>
                  {timeline.map((e, i) => {
                    // the entry's technique first, then the alert's other techniques
                    const others = (alertsById.get(e.alert_id)?.attack ?? []).filter((t) => t !== e.technique);
                    return (
                    <tr key={`${e.alert_id}-${i}`} data-technique={e.technique ?? ''} data-techniques={[e.technique, ...others].filter(Boolean).join(' ')}>
                      <td><Time t={e.time} /></td>
                      <td>{e.device ? <Link to={`/devices/${encodeURIComponent(e.device)}`}>{e.device}</Link> : '—'}</td>
                      <td>{alertsById.has(e.alert_id) ? <a href={`#alert-${e.alert_id}`} onClick={(ev) => { ev.preventDefault(); pick(e.alert_id); }}>{e.title}</a> : e.title}</td>
                      <td><code>{e.technique ?? '—'}</code>{others.length ? <span className="muted small"> also {others.map((t) => <code key={t}>{t} </code>)}</span> : null}</td>
                      <td>{e.tactic ?? '—'}</td>
                    </tr>
                    );
                  })}
                </tbody>
              </table>
              </div>
            </>
          )}
        </Panel>

        <Panel title="ATT&CK chain" id="attack" className="span-all"
          actions={<label className="inline"><input type="checkbox" checked={compact} onChange={(e) => setCompact(e.target.checked)} /> only tactics seen</label>}>
          <ol className="chain" aria-label="Techniques in kill-chain order">
            {d.techniques.map((t) => <li key={t.technique}><code>{t.technique}</code> {t.name ?? ''} <span className="muted small">{t.tactic}</span></li>)}
          </ol>
          <AttackMatrix table={table} incident={d} compact={compact} />
        </Panel>

        {canEdit ? <Actions incident={d} onChange={onChange} /> : null}
        <Panel title="Affected" id="affected" className={canEdit ? '' : 'span-all'}>
          <h3>Devices</h3>
          <ul className="chips">{d.devices.map((x) => <li key={x}><Link to={`/devices/${encodeURIComponent(x)}`}>{x}</Link></li>)}</ul>
          <h3>Accounts</h3>
          {d.accounts.length ? <ul className="chips">{d.accounts.map((x) => <li key={x}>{x}</li>)}</ul> : <p className="muted">none</p>}
          <h3>Addresses</h3>
          {d.ips.length ? <ul className="chips">{d.ips.map((x) => <li key={x}><code>{x}</code></li>)}</ul> : <p className="muted">none</p>}
        </Panel>

        <Panel title="Remediation" id="remediation" className={showExport ? 'span-2' : 'span-all'}>
          {d.remediation.length ? <ol className="remediation">{d.remediation.map((r, i) => <li key={i}><pre>{r}</pre></li>)}</ol> : <p className="muted">No remediation given.</p>}
        </Panel>

        {showExport ? <ExportPanel id={d.id} /> : null}
        <Panel title={`Evidence (${d.alerts.length} alerts)`} id="evidence" className="span-all">
          <ul className="evidence-list">
            {[...d.alerts].sort((a, b) => a.time.localeCompare(b.time)).map((a) => (
              <li key={a.id}>
                <details open={openAlert === a.id} onToggle={(e) => { if ((e.target as HTMLDetailsElement).open) setOpenAlert(a.id); }}>
                  <summary id={`alert-${a.id}`} tabIndex={0}>
                    <SeverityBadge severity={a.severity} /> <Time t={a.time} /> <b>{a.device ?? ''}</b> {a.rule.title}
                    <span className="muted small"> · {a.detector}{a.attack.length ? ` · ${a.attack.join(' ')}` : ''}</span>
                  </summary>
                  <Evidence alert={a} />
                </details>
              </li>
            ))}
          </ul>
        </Panel>

        <Panel title="History and notes" id="history" className="span-all">
          <ol className="history">
            {[...d.history.map((h) => ({ at: h.at, by: h.by, text: `state → ${stateLabel(h.state)}${h.note ? `: ${h.note}` : ''}`, kind: 'change' })),
              ...d.notes.map((n) => ({ at: n.at, by: n.by, text: n.text, kind: 'note' }))]
              .sort((a, b) => a.at.localeCompare(b.at))
              .map((h, i) => <li key={i} className={h.kind}><Time t={h.at} /> <b>{h.by}</b> {h.text}</li>)}
          </ol>
          {d.history.length + d.notes.length === 0 ? <p className="muted">No changes yet.</p> : null}
        </Panel>
      </div>
    </>
  );
}

function Actions({ incident, onChange }: { incident: Incident; onChange: (i: Incident) => void }) {
  const [state, setState] = useState(incident.state);
  const [assignee, setAssignee] = useState(incident.assignee ?? '');
  const [note, setNote] = useState('');
  const [suppress, setSuppress] = useState(false);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | undefined>();
  useEffect(() => { setState(incident.state); setAssignee(incident.assignee ?? ''); }, [incident.state, incident.assignee]);
  const path = `incidents/${encodeURIComponent(incident.id)}`;

  const run = async (what: string, f: () => Promise<Incident>) => {
    setBusy(true);
    setMsg(undefined);
    try {
      onChange(await f());
      setMsg({ ok: true, text: `${what} saved at ${fmtTime(Date.now())}.` });
    } catch (e) {
      setMsg({ ok: false, text: `${what} failed: ${e instanceof Error ? e.message : String(e)}` });
    } finally { setBusy(false); }
  };

  return (
    <Panel title="Act" id="actions" className="span-2">
      <form className="row" onSubmit={(e: FormEvent) => { e.preventDefault(); void run('State', () => send('PATCH', path, state === 'false_positive' && suppress ? { state, suppress: true } : { state })); }}>
        <label>State
          <select name="state" value={state} onChange={(e) => setState(e.target.value as Incident['state'])}>
            {STATES.map((s) => <option key={s} value={s}>{stateLabel(s)}</option>)}
          </select>
        </label>
        {state === 'false_positive' ? (
          <label className="inline"><input type="checkbox" checked={suppress} onChange={(e) => setSuppress(e.target.checked)} /> also suppress these rules on these devices</label>
        ) : null}
        <button type="submit" disabled={busy || state === incident.state}>Set state</button>
      </form>
      <form className="row" onSubmit={(e: FormEvent) => { e.preventDefault(); void run('Assignee', () => send('PATCH', path, { assignee: assignee.trim() })); }}>
        <label>Assignee
          <input name="assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)} placeholder="analyst name" />
        </label>
        <button type="submit" disabled={busy || assignee.trim() === (incident.assignee ?? '')}>Assign</button>
      </form>
      <form className="col" onSubmit={(e: FormEvent) => { e.preventDefault(); if (!note.trim()) return; void run('Note', async () => { const r = await send<Incident>('POST', `${path}/notes`, { text: note.trim() }); setNote(''); return r; }); }}>
        <label htmlFor="note">Note</label>
        <textarea id="note" name="note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="What you found, what you did" />
        <div><button type="submit" disabled={busy || !note.trim()}>Add note</button></div>
      </form>
      {msg ? <p className={msg.ok ? 'ok' : 'error'} role="status">{msg.text}</p> : null}
    </Panel>
  );
}

const EXPORTS = [
  { format: 'html', label: 'HTML', ext: 'html' },
  { format: 'md', label: 'Markdown', ext: 'md' },
  { format: 'json', label: 'JSON', ext: 'json' },
];

/** The report needs the token, so it is fetched and handed to the browser as a download. */
function ExportPanel({ id }: { id: string }) {
  const [error, setError] = useState<string | undefined>();
  const download = async (format: string, ext: string) => {
    setError(undefined);
    try {
      const res = await request(`incidents/${encodeURIComponent(id)}/report?format=${format}`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `incident-${id}.${ext}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) { setError(e instanceof Error ? e.message : String(e)); }
  };
  return (
    <Panel title="Export report" id="export">
      <div className="row">
        {EXPORTS.map((x) => <button key={x.format} type="button" onClick={() => void download(x.format, x.ext)}>{x.label}</button>)}
      </div>
      {error ? <p className="error" role="alert">{error}</p> : null}
    </Panel>
  );
}
