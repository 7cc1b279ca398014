import { Suspense, lazy, useEffect, useRef, useState, type FormEvent } from 'react';
import { NavLink, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { useAuth } from './auth';
import { OverviewPage } from './pages/Overview';

// The Overview is in the first bundle (it is the landing page and must load fast, docs/BENCHMARKS.md); the other
// pages load on first visit.
const IncidentsPage = lazy(() => import('./pages/Incidents').then((m) => ({ default: m.IncidentsPage })));
const IncidentPage = lazy(() => import('./pages/Incident').then((m) => ({ default: m.IncidentPage })));
const DevicesPage = lazy(() => import('./pages/Devices').then((m) => ({ default: m.DevicesPage })));
const DevicePage = lazy(() => import('./pages/Devices').then((m) => ({ default: m.DevicePage })));
const FlowsPage = lazy(() => import('./pages/Flows').then((m) => ({ default: m.FlowsPage })));
const IndicatorsPage = lazy(() => import('./pages/Indicators').then((m) => ({ default: m.IndicatorsPage })));
const AccessPage = lazy(() => import('./pages/Access').then((m) => ({ default: m.AccessPage })));
const AlertsPage = lazy(() => import('./pages/Alerts').then((m) => ({ default: m.AlertsPage })));

/** The sections, in the order and with the names interfaces.md fixes. `key` is the keyboard shortcut after `g`. */
const SECTIONS = [
  { to: '/overview', name: 'Overview', key: 'o' },
  { to: '/incidents', name: 'Incidents', key: 'i' },
  { to: '/devices', name: 'Devices', key: 'd' },
  { to: '/flows', name: 'Flows', key: 'f' },
  { to: '/indicators', name: 'Indicators', key: 'n' },
  { to: '/access', name: 'Access', key: 'a' },
];

export function App() {
  const { signedIn } = useAuth();
  return signedIn ? <Shell /> : <SignIn />;
}

function SignIn() {
  const { signIn, message } = useAuth();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) { setError('Paste the token that `tidewatch token create` printed.'); return; }
    setBusy(true);
    setError(undefined);
    try { await signIn(token); } catch (err) { setError(err instanceof Error ? err.message : String(err)); } finally { setBusy(false); }
  };
  return (
    <main className="signin">
      <form className="signin-form" onSubmit={onSubmit} aria-describedby="signin-help">
        <h1><span className="logo" aria-hidden="true">◢</span> Tidewatch</h1>
        <p id="signin-help" className="muted">Sign in with an API token (<code>tidewatch token create --role analyst</code>).</p>
        {message ? <p className="notice" role="status">{message}</p> : null}
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" autoFocus value={token}
          onChange={(e) => setToken(e.target.value)} aria-invalid={error ? 'true' : undefined} />
        {error ? <p className="error" role="alert">{error}</p> : null}
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}

/** `g` then a section letter jumps to that section; `/` focuses the page's first search or filter field. */
function useShortcuts() {
  const navigate = useNavigate();
  const pending = useRef(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      if (pending.current) {
        pending.current = false;
        const s = SECTIONS.find((x) => x.key === e.key);
        if (s) { e.preventDefault(); navigate(s.to); }
        return;
      }
      if (e.key === 'g') { pending.current = true; setTimeout(() => { pending.current = false; }, 1500); }
      else if (e.key === '/') {
        const field = document.querySelector<HTMLElement>('main [data-search], main input, main select');
        if (field) { e.preventDefault(); field.focus(); }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);
}

function Shell() {
  const { me, signOut } = useAuth();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const [wall, setWall] = useState(() => localStorage.getItem('tidewatch.wall') === '1');
  useShortcuts();
  useEffect(() => {
    document.documentElement.classList.toggle('wall', wall);
    localStorage.setItem('tidewatch.wall', wall ? '1' : '0');
  }, [wall]);
  // Move focus to the new page's heading so keyboard and screen-reader users land on the content.
  // Not on the first load (keyboard users start at the skip link); pages load lazily, so wait for the heading (at most 3 s).
  const firstPath = useRef(true);
  useEffect(() => {
    const main = mainRef.current;
    if (firstPath.current) { firstPath.current = false; return; }
    if (!main) return;
    const tryFocus = () => { const h = main.querySelector<HTMLElement>('h1'); if (h) { h.focus({ preventScroll: true }); return true; } return false; };
    if (tryFocus()) return;
    const obs = new MutationObserver(() => { if (tryFocus()) obs.disconnect(); });
    obs.observe(main, { childList: true, subtree: true });
    const t = setTimeout(() => obs.disconnect(), 3000);
    return () => { obs.disconnect(); clearTimeout(t); };
  }, [location.pathname]);

  return (
    <div className="shell">
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); mainRef.current?.focus(); }}>Skip to content</a>
      <header className="topbar">
        <span className="brand"><span className="logo" aria-hidden="true">◢</span> Tidewatch</span>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map((s) => (
              <li key={s.to}>
                <NavLink to={s.to} title={`${s.name} (g ${s.key})`}>{s.name}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <button type="button" className="ghost" aria-pressed={wall} onClick={() => setWall((w) => !w)} title="Larger type and denser layout for a SOC wall screen">Wall mode</button>
          <span className="muted small">{me ? <>{me.name} · <span className={`role role-${me.role}`}>{me.role}</span></> : '…'}</span>
          <button type="button" className="ghost" onClick={() => signOut()}>Sign out</button>
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        <Suspense fallback={<p className="muted" aria-busy="true">Loading…</p>}>
        <Routes>
          <Route path="/" element={<Navigate to="/overview" replace />} />
          <Route path="/overview" element={<OverviewPage />} />
          <Route path="/incidents" element={<IncidentsPage />} />
          <Route path="/incidents/:id" element={<IncidentPage />} />
          <Route path="/devices" element={<DevicesPage />} />
          <Route path="/devices/:name" element={<DevicePage />} />
          <Route path="/flows" element={<FlowsPage />} />
          <Route path="/indicators" element={<IndicatorsPage />} />
          <Route path="/access" element={<AccessPage />} />
          <Route path="/alerts" element={<AlertsPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
        </Suspense>
      </main>
    </div>
  );
}

function NotFound() {
  return <><h1 tabIndex={-1}>Not found</h1><p>No such page. Pick a section above.</p></>;
}
