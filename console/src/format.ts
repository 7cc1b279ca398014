import type { Severity, SeverityCounts } from './api';

/** Most severe first: the order every list and chart uses. */
export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Colours picked for contrast on the dark background (and distinct for red/green colour blindness by lightness). */
export const SEVERITY_COLOR: Record<Severity, string> = {
  critical: '#ff5c7a',
  high: '#ff9f43',
  medium: '#f6d55c',
  low: '#5cc8ff',
  info: '#9aa7b8',
};

/** Series colours for detectors and other categories. */
export const PALETTE = ['#5cc8ff', '#ff9f43', '#b28dff', '#4be3a4', '#ff5c7a', '#f6d55c', '#9aa7b8', '#ff7fd1'];

export const STATES = ['new', 'investigating', 'contained', 'closed', 'false_positive'] as const;
export const OPEN_STATES = ['new', 'investigating', 'contained'];

export function stateLabel(s: string): string {
  return s.replace(/_/g, ' ');
}

/** ISO 8601 UTC with seconds, the way the rest of Tidewatch prints times (milliseconds dropped for reading). */
export function fmtTime(t: string | number | undefined | null): string {
  if (t === undefined || t === null || t === '') return '—';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** Short time for chart axes: `MM-DD HH:MM` in UTC. */
export function fmtAxisTime(t: number | string): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toISOString().slice(5, 16).replace('T', ' ');
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
export function fmtBytes(n: number | undefined): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < UNITS.length - 1) { v /= 1000; i++; }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${UNITS[i]}`;
}

export function fmtNumber(n: number | undefined): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { maximumFractionDigits: 1 });
}

export function totalCount(c: SeverityCounts | undefined): number {
  return SEVERITY_ORDER.reduce((s, k) => s + (c?.[k] ?? 0), 0);
}

/** Weighted score used to rank devices by audit posture (critical outweighs any number of lows). */
export function postureScore(c: SeverityCounts | undefined): number {
  return (c?.critical ?? 0) * 1e6 + (c?.high ?? 0) * 1e4 + (c?.medium ?? 0) * 1e2 + (c?.low ?? 0);
}
