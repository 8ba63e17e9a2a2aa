// Hash routes (#/patients/ID): the server only serves files, so every page is one document and
// a reload or a bookmark lands on the same page without server-side routing.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'patients'; query: string; offset: number }
  | { page: 'new-patient' }
  | { page: 'patient'; id: string }
  | { page: 'edit-patient'; id: string }
  | { page: 'scan'; id: string; highlight: number[] }
  | { page: 'plan'; id: string }
  | { page: 'new-session'; patientId: string; planId: string }
  | { page: 'progress'; patientId: string }
  | { page: 'manual'; visitId: string }
  | { page: 'not-found'; path: string };

function numbers(text: string | null): number[] {
  if (!text) return [];
  return text
    .split(',')
    .map((part) => Number.parseInt(part, 10))
    .filter((value) => Number.isFinite(value));
}

export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '') || '/patients';
  const [pathPart = '', queryPart = ''] = text.split('?');
  const query = new URLSearchParams(queryPart);
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third, fourth] = parts;
  if (first === 'patients') {
    if (second === undefined)
      return { page: 'patients', query: query.get('q') ?? '', offset: Math.max(0, Number(query.get('offset')) || 0) };
    if (second === 'new' && third === undefined) return { page: 'new-patient' };
    if (third === undefined) return { page: 'patient', id: second };
    if (third === 'edit') return { page: 'edit-patient', id: second };
    if (third === 'progress') return { page: 'progress', patientId: second };
    if (third === 'sessions' && fourth === 'new')
      return { page: 'new-session', patientId: second, planId: query.get('plan') ?? '' };
  }
  if (first === 'scans' && second && third === undefined)
    return { page: 'scan', id: second, highlight: numbers(query.get('highlight')) };
  if (first === 'plans' && second && third === undefined) return { page: 'plan', id: second };
  if (first === 'visits' && second && third === 'manual') return { page: 'manual', visitId: second };
  return { page: 'not-found', path: pathPart };
}

export const href = {
  patients: (q = '', offset = 0) => {
    const search = new URLSearchParams();
    if (q) search.set('q', q);
    if (offset) search.set('offset', String(offset));
    const text = search.toString();
    return '#/patients' + (text ? `?${text}` : '');
  },
  newPatient: () => '#/patients/new',
  patient: (id: string) => `#/patients/${encodeURIComponent(id)}`,
  editPatient: (id: string) => `#/patients/${encodeURIComponent(id)}/edit`,
  scan: (id: string, highlight: number[] = []) =>
    `#/scans/${encodeURIComponent(id)}` + (highlight.length ? `?highlight=${highlight.join(',')}` : ''),
  plan: (id: string) => `#/plans/${encodeURIComponent(id)}`,
  newSession: (patientId: string, planId = '') =>
    `#/patients/${encodeURIComponent(patientId)}/sessions/new` + (planId ? `?plan=${encodeURIComponent(planId)}` : ''),
  progress: (patientId: string) => `#/patients/${encodeURIComponent(patientId)}/progress`,
  manual: (visitId: string) => `#/visits/${encodeURIComponent(visitId)}/manual`,
};

export function navigate(to: string): void {
  if (location.hash !== to) location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
