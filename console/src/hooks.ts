import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, get } from './api';
import { useAuth } from './auth';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  /** When the data last arrived. */
  at: number | undefined;
  reload: () => void;
}

/**
 * GETs an API path (null: nothing to load) and, with `pollMs`, keeps it fresh. A 401 signs out.
 * While polling, a failed refresh keeps the last data on screen and shows the error beside it.
 */
export function useApi<T>(path: string | null, pollMs?: number): Loaded<T> {
  const { signOut } = useAuth();
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean; at?: number; path?: string | null }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const pathRef = useRef(path);
  pathRef.current = path;

  useEffect(() => {
    if (path === null) { setState({ loading: false }); return; }
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, data: s.path === path ? s.data : undefined, path }));
    get<T>(path, ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ data, loading: false, at: Date.now(), path }); },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        if (e instanceof ApiError && e.status === 401) { signOut('Your token is no longer accepted; sign in again.'); return; }
        setState((s) => ({ ...s, loading: false, error: e instanceof Error ? e.message : String(e) }));
      },
    );
    return () => ctl.abort();
  }, [path, tick, signOut]);

  useEffect(() => {
    if (!pollMs || path === null) return;
    const t = setInterval(() => { if (!document.hidden) setTick((x) => x + 1); }, pollMs);
    return () => clearInterval(t);
  }, [pollMs, path]);

  return { data: state.data, error: state.error, loading: state.loading, at: state.at, reload };
}

/**
 * The root font size over the 15 px base: 1 on a laptop, more on a wall screen or in wall mode. Chart axes are
 * sized in px by recharts, so they multiply by this to keep their labels whole as the type grows.
 */
export function useTypeScale(): number {
  const read = () => (parseFloat(getComputedStyle(document.documentElement).fontSize) || 15) / 15;
  const [scale, setScale] = useState(read);
  useEffect(() => {
    const update = () => setScale(read());
    window.addEventListener('resize', update);
    const obs = new MutationObserver(update);
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
    return () => { window.removeEventListener('resize', update); obs.disconnect(); };
  }, []);
  return scale;
}
