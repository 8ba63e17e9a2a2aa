// A patient's page: who they are, what the planner still needs, and the course as one timeline
// (visits with their scans, photographs and plans; sessions with their side effects; follow-up
// comparisons), newest first. From here: a new visit, a scan upload, a plan, a session, the
// progress view and manual mode.
import { useState } from 'preact/hooks';

import { ApiError, call, type Schemas } from '../api/client';
import { vocabulary } from '../api/vocabulary';
import { ScanUpload } from '../components/ScanUpload';
import { ErrorNotice, Field, Loading, PageTitle, today, useLoad } from '../components/ui';
import { formatDate, formatDateTime, t } from '../i18n';
import { label } from '../labels';
import { href, navigate, type Route } from '../router';
import type { User } from './Login';

type Visit = Schemas['Visit'];
type Scan = Schemas['Scan'];
type Plan = Schemas['Plan'];
type Session = Schemas['Session'];
type Comparison = Schemas['Comparison'];
type Patient = Schemas['Patient'];

interface Course {
  patient: Patient;
  visits: Visit[];
  scans: Scan[];
  plans: Plan[];
  sessions: Session[];
  comparisons: Comparison[];
  consents: Schemas['Consent'][];
  photos: Schemas['Photo'][];
}

async function loadCourse(id: string, signal: AbortSignal): Promise<Course> {
  const path = { id };
  const [patient, visits, scans, plans, sessions, comparisons, consents, photos] = await Promise.all([
    call('GET /patients/{id}', { path, signal }),
    call('GET /patients/{id}/visits', { path, signal }),
    call('GET /patients/{id}/scans', { path, signal }),
    call('GET /patients/{id}/plans', { path, signal }),
    call('GET /patients/{id}/sessions', { path, signal }),
    call('GET /patients/{id}/comparisons', { path, signal }),
    call('GET /patients/{id}/consents', { path, signal }),
    call('GET /patients/{id}/photos', { path, signal }),
  ]);
  return {
    patient,
    visits: visits.items,
    scans: scans.items,
    plans: plans.items,
    sessions: sessions.items,
    comparisons: comparisons.items,
    consents: consents.items,
    photos: photos.items,
  };
}

type TimelineEntry =
  | { kind: 'visit'; date: string; visit: Visit }
  | { kind: 'session'; date: string; session: Session }
  | { kind: 'comparison'; date: string; comparison: Comparison };

function timeline(course: Course): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...course.visits.map((visit) => ({ kind: 'visit' as const, date: visit.date, visit })),
    ...course.sessions.map((session) => ({ kind: 'session' as const, date: session.date, session })),
    ...course.comparisons.map((comparison) => ({
      kind: 'comparison' as const,
      date: comparison.created_at.slice(0, 10),
      comparison,
    })),
  ];
  // Newest first; on one day the visit comes before what was done at it.
  const rank = { visit: 2, session: 1, comparison: 0 };
  return entries.sort((a, b) => (a.date === b.date ? rank[a.kind] - rank[b.kind] : a.date < b.date ? 1 : -1));
}

function NewVisit({ patientId, onCreated }: { patientId: string; onCreated: () => void }) {
  const regions = useLoad(() => vocabulary().then((v) => v.regions), []);
  const [date, setDate] = useState(today());
  const [region, setRegion] = useState('');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await call('POST /patients/{id}/visits', {
        path: { id: patientId },
        body: { date, region: region as Visit['region'], notes },
      });
      setNotes('');
      onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={t('visit.new')}>
      <ErrorNotice error={error} />
      <div class="grid">
        <Field label={t('visit.date')}>
          {(id) => (
            <input id={id} type="date" required value={date} onInput={(event) => setDate(event.currentTarget.value)} />
          )}
        </Field>
        <Field label={t('visit.region')}>
          {(id) => (
            <select id={id} required value={region} onChange={(event) => setRegion(event.currentTarget.value)}>
              <option value="" disabled>
                {t('common.choose')}
              </option>
              {(regions.data ?? []).map((name) => (
                <option value={name} key={name}>
                  {label('region', name)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('visit.notes')}>
          {(id) => <input id={id} value={notes} onInput={(event) => setNotes(event.currentTarget.value)} />}
        </Field>
      </div>
      <button type="submit" class="primary" disabled={busy}>
        {t('visit.create')}
      </button>
    </form>
  );
}

// "Propose a plan" for a visit: POST /visits/{id}/plan. A profile the planner cannot use yet
// answers 422 naming the missing fields: shown with the way to complete them.
function ProposePlan({ visit, patient }: { visit: Visit; patient: Patient }) {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const propose = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const plan = await call('POST /visits/{id}/plan', { path: { id: visit.id }, body: {} });
      navigate(href.plan(plan.id));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={propose} disabled={busy}>
        {busy ? t('plan.proposing') : t('plan.propose')}
      </button>
      {error !== undefined && (
        <div class="notice notice-error" role="alert">
          {error instanceof ApiError ? error.detail : String(error)}
          {error instanceof ApiError && error.code === 'incomplete_profile' && (
            <>
              {' '}
              <a href={href.editPatient(patient.id)}>{t('patient.completeProfile')}</a>
            </>
          )}
        </div>
      )}
    </>
  );
}

function VisitEntry({ visit, course, reload }: { visit: Visit; course: Course; reload: () => void }) {
  const [uploading, setUploading] = useState(false);
  const scans = course.scans.filter((scan) => scan.visit_id === visit.id);
  const plans = course.plans.filter((plan) => plan.visit_id === visit.id);
  const photos = course.photos.filter((photo) => photo.visit_id === visit.id);
  return (
    <article class="timeline-entry visit" aria-labelledby={`visit-${visit.id}`}>
      <h3 id={`visit-${visit.id}`}>
        <time dateTime={visit.date}>{formatDate(visit.date)}</time> · {t('timeline.visit', { region: label('region', visit.region) })}
      </h3>
      {visit.notes && <p class="notes">{visit.notes}</p>}
      {scans.length > 0 && (
        <ul class="plain">
          {scans.map((scan) => (
            <li key={scan.id}>
              {t('timeline.scan')}: <a href={href.scan(scan.id)}>{scan.file_name || scan.id}</a>{' '}
              <small>
                ({t('timeline.uploadedAt', { at: formatDateTime(scan.uploaded_at) })})
              </small>
            </li>
          ))}
        </ul>
      )}
      {photos.length > 0 && (
        <ul class="plain">
          {photos.map((photo) => (
            <li key={photo.id}>
              {t('timeline.photo')}: <a href={href.manual(visit.id)}>{photo.file_name}</a>{' '}
              <small>
                (
                {photo.marking
                  ? t('timeline.photoMarked', { n: photo.marking.marks.length })
                  : t('timeline.photoNotMarked')}
                )
              </small>
            </li>
          ))}
        </ul>
      )}
      {plans.length > 0 && (
        <ul class="plain">
          {plans.map((plan) => (
            <li key={plan.id}>
              <a href={href.plan(plan.id)}>{t('timeline.plan')}</a>{' '}
              <span class={'badge badge-' + plan.status}>{t(`plan.status.${plan.status}`)}</span>
            </li>
          ))}
        </ul>
      )}
      <div class="actions">
        <button type="button" aria-expanded={uploading} onClick={() => setUploading(!uploading)}>
          {t('upload.scan')}
        </button>
        <ProposePlan visit={visit} patient={course.patient} />
        <a class="button" href={href.manual(visit.id)}>
          {t('manual.open')}
        </a>
      </div>
      {uploading && <ScanUpload visitId={visit.id} onUploaded={reload} />}
    </article>
  );
}

function SessionEntry({ session }: { session: Session }) {
  return (
    <article class="timeline-entry session" aria-labelledby={`session-${session.id}`}>
      <h3 id={`session-${session.id}`}>
        <time dateTime={session.date}>{formatDate(session.date)}</time> ·{' '}
        {t('timeline.session', { modality: label('modality', session.modality) })}
      </h3>
      <p>
        {label('region', session.region)}
        {session.target_scar_ids.length > 0 && ` · ${t('session.targets', { ids: session.target_scar_ids.join(', ') })}`}
        {Object.entries(session.parameters).map(([name, value]) => ` · ${label('parameter', name)} ${value}`)}
      </p>
      {session.notes && <p class="notes">{session.notes}</p>}
      {session.adverse_events.length > 0 && (
        <ul class="adverse">
          {session.adverse_events.map((event) => (
            <li key={event.id}>
              <span class={'badge badge-' + event.severity}>{t(`severity.${event.severity}`)}</span>{' '}
              {label('adverse', event.kind)} ·{' '}
              {event.resolved
                ? t('adverse.fromTo', { onset: formatDate(event.onset), resolved: formatDate(event.resolved) })
                : t('adverse.since', { onset: formatDate(event.onset) })}
            </li>
          ))}
        </ul>
      )}
    </article>
  );
}

function ComparisonEntry({ comparison }: { comparison: Comparison }) {
  const result = comparison.result as unknown as { global?: { volume_change_pct?: number | null } };
  const change = result.global?.volume_change_pct;
  return (
    <article class="timeline-entry comparison">
      <h3>
        <time dateTime={comparison.created_at}>{formatDate(comparison.created_at)}</time> · {t('timeline.comparison')}
      </h3>
      <p>
        {change !== undefined && change !== null ? t('timeline.volumeChange', { pct: Math.round(change) }) : ''}{' '}
        <a href={href.progress(comparison.patient_id)}>{t('progress.open')}</a>
      </p>
    </article>
  );
}

function Consents({ course, reload }: { course: Course; reload: () => void }) {
  const [kind, setKind] = useState<'treatment' | 'photography' | 'research'>('treatment');
  const [state, setState] = useState<'given' | 'withdrawn'>('given');
  const [error, setError] = useState<unknown>(undefined);
  const record = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await call('POST /patients/{id}/consents', {
        path: { id: course.patient.id },
        body: { kind, state, date: today() },
      });
      reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section aria-labelledby="consents-title" class="panel">
      <h2 id="consents-title">{t('consent.title')}</h2>
      {course.consents.length === 0 ? (
        <p>{t('consent.none')}</p>
      ) : (
        <ul class="plain">
          {course.consents.map((consent) => (
            <li key={consent.id}>
              {formatDate(consent.date)}: {t(`consent.${consent.kind}`)} – {t(`consent.state.${consent.state}`)}
            </li>
          ))}
        </ul>
      )}
      <form class="inline-form" onSubmit={record} aria-label={t('consent.record')}>
        <ErrorNotice error={error} />
        <Field label={t('consent.kind')}>
          {(id) => (
            <select id={id} value={kind} onChange={(event) => setKind(event.currentTarget.value as typeof kind)}>
              {(['treatment', 'photography', 'research'] as const).map((value) => (
                <option value={value} key={value}>
                  {t(`consent.${value}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('consent.stateLabel')}>
          {(id) => (
            <select id={id} value={state} onChange={(event) => setState(event.currentTarget.value as typeof state)}>
              <option value="given">{t('consent.state.given')}</option>
              <option value="withdrawn">{t('consent.state.withdrawn')}</option>
            </select>
          )}
        </Field>
        <button type="submit">{t('consent.record')}</button>
      </form>
    </section>
  );
}

function PatientPage({ route }: { route: Route; user: User }) {
  const id = route.page === 'patient' ? route.id : '';
  const course = useLoad((signal) => loadCourse(id, signal), [id]);
  const [addingVisit, setAddingVisit] = useState(false);
  if (course.loading && !course.data) return <Loading />;
  if (course.error) return <ErrorNotice error={course.error} />;
  const data = course.data;
  if (!data) return null;
  const patient = data.patient;
  const entries = timeline(data);
  const details = [
    patient.identifier && t('patient.identifierShort', { identifier: patient.identifier }),
    patient.birth_year && t('patient.born', { year: patient.birth_year }),
    patient.fitzpatrick && t('patient.fitzpatrickShort', { type: patient.fitzpatrick }),
  ].filter(Boolean);
  return (
    <section>
      <PageTitle sub={details.join(' · ')}>{patient.name}</PageTitle>
      {patient.missing_profile_fields.length > 0 && (
        <div class="notice notice-warn">
          {t('patient.profileMissing', {
            fields: patient.missing_profile_fields.map((name) => label('profileField', name)).join(', '),
          })}{' '}
          <a href={href.editPatient(patient.id)}>{t('patient.completeProfile')}</a>
        </div>
      )}
      <div class="actions">
        <button type="button" class="primary" aria-expanded={addingVisit} onClick={() => setAddingVisit(!addingVisit)}>
          {t('visit.new')}
        </button>
        <a class="button" href={href.newSession(patient.id)}>
          {t('session.record')}
        </a>
        <a class="button" href={href.progress(patient.id)}>
          {t('progress.open')}
        </a>
        <a class="button" href={href.editPatient(patient.id)}>
          {t('patient.edit')}
        </a>
      </div>
      {addingVisit && (
        <NewVisit
          patientId={patient.id}
          onCreated={() => {
            setAddingVisit(false);
            course.reload();
          }}
        />
      )}
      <div class="columns">
        <section aria-labelledby="timeline-title" class="timeline">
          <h2 id="timeline-title">{t('timeline.title')}</h2>
          {entries.length === 0 && <p>{t('timeline.empty')}</p>}
          {entries.map((entry) =>
            entry.kind === 'visit' ? (
              <VisitEntry key={entry.visit.id} visit={entry.visit} course={data} reload={course.reload} />
            ) : entry.kind === 'session' ? (
              <SessionEntry key={entry.session.id} session={entry.session} />
            ) : (
              <ComparisonEntry key={entry.comparison.id} comparison={entry.comparison} />
            ),
          )}
        </section>
        <aside>
          <Consents course={data} reload={course.reload} />
        </aside>
      </div>
    </section>
  );
}

export default PatientPage;
