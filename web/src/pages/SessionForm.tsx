// Session entry: the modality, the parameters that modality needs (checked against the ranges the
// server gives in GET /vocabulary, and again by the server), the scars treated, who treated, notes,
// and any side effects with severity, onset and resolution.
import { useEffect, useMemo, useState } from 'preact/hooks';

import { call, type Schemas } from '../api/client';
import type { Analysis } from '../api/documents';
import { vocabulary } from '../api/vocabulary';
import { ErrorNotice, Field, Loading, PageTitle, today, useLoad } from '../components/ui';
import { formatDate, t } from '../i18n';
import { label } from '../labels';
import { href, navigate, type Route } from '../router';
import type { User } from './Login';
import { loadScan } from './Scan';

type Visit = Schemas['Visit'];

interface AdverseDraft {
  kind: string;
  severity: 'mild' | 'moderate' | 'severe';
  onset: string;
  resolved: string;
  notes: string;
}

async function loadContext(patientId: string, planId: string, signal: AbortSignal) {
  const [patient, visits, scans, vocab, plan] = await Promise.all([
    call('GET /patients/{id}', { path: { id: patientId }, signal }),
    call('GET /patients/{id}/visits', { path: { id: patientId }, signal }),
    call('GET /patients/{id}/scans', { path: { id: patientId }, signal }),
    vocabulary(),
    planId ? call('GET /plans/{id}', { path: { id: planId }, signal }) : Promise.resolve(null),
  ]);
  // The scars one may target: those of the latest analysed scan.
  let target: { assessmentId: string; scanId: string; analysis: Analysis } | null = null;
  for (const scan of [...scans.items].reverse()) {
    const view = await loadScan(scan.id, signal);
    if (view.assessment) {
      target = {
        assessmentId: view.assessment.id,
        scanId: scan.id,
        analysis: view.assessment.analysis as unknown as Analysis,
      };
      break;
    }
  }
  return { patient, visits: visits.items, vocab, plan, target };
}

function SessionFormPage({ route, user }: { route: Route; user: User }) {
  const patientId = route.page === 'new-session' ? route.patientId : '';
  const planId = route.page === 'new-session' ? route.planId : '';
  const context = useLoad((signal) => loadContext(patientId, planId, signal), [patientId, planId]);
  const [date, setDate] = useState(today());
  const [modality, setModality] = useState('');
  const [parameters, setParameters] = useState<Record<string, string>>({});
  const [region, setRegion] = useState('');
  const [visitId, setVisitId] = useState('');
  const [targets, setTargets] = useState<number[]>([]);
  const [notes, setNotes] = useState('');
  const [adverse, setAdverse] = useState<AdverseDraft[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [touched, setTouched] = useState(false);

  const data = context.data;
  const latestVisit: Visit | undefined = data?.visits[data.visits.length - 1];
  useEffect(() => {
    if (!data) return;
    if (latestVisit) {
      setVisitId(latestVisit.id);
      setRegion(latestVisit.region);
    }
  }, [data]);

  const modalityInfo = useMemo(() => data?.vocab.modalities.find((m) => m.id === modality), [data, modality]);
  const parameterSpecs = Object.entries(modalityInfo?.parameters ?? {});

  // A value outside the modality's range, or not a number: the message shown beside the field.
  const parameterError = (name: string): string | undefined => {
    const spec = modalityInfo?.parameters[name];
    const text = parameters[name] ?? '';
    if (!spec || text.trim() === '') return undefined;
    const value = Number(text);
    if (!Number.isFinite(value)) return t('session.notANumber');
    if (value < spec.min || value > spec.max)
      return t('session.outOfRange', { min: spec.min, max: spec.max, unit: spec.unit });
    return undefined;
  };
  const invalid = parameterSpecs.some(([name]) => parameterError(name) !== undefined);

  if (context.loading && !data) return <Loading />;
  if (context.error) return <ErrorNotice error={context.error} />;
  if (!data) return null;

  const scars = data.target?.analysis.scars ?? [];

  const submit = async (event: Event) => {
    event.preventDefault();
    setTouched(true);
    if (invalid) return;
    setBusy(true);
    setError(undefined);
    try {
      const values: Record<string, number> = {};
      for (const [name, text] of Object.entries(parameters)) if (text.trim() !== '') values[name] = Number(text);
      const body: Record<string, unknown> = {
        date,
        modality,
        region,
        parameters: values,
        target_scar_ids: targets,
        notes,
        operator_id: user.id,
      };
      if (visitId) body.visit_id = visitId;
      if (planId) body.plan_id = planId;
      if (targets.length && data.target) body.target_assessment_id = data.target.assessmentId;
      const session = await call('POST /patients/{id}/sessions', { path: { id: patientId }, body: body as never });
      for (const event of adverse) {
        await call('POST /sessions/{id}/adverse-events', {
          path: { id: session.id },
          body: {
            kind: event.kind as never,
            severity: event.severity,
            onset: event.onset,
            resolved: event.resolved || null,
            notes: event.notes,
          },
        });
      }
      navigate(href.patient(patientId));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const updateAdverse = (index: number, change: Partial<AdverseDraft>) =>
    setAdverse((current) => current.map((entry, i) => (i === index ? { ...entry, ...change } : entry)));

  return (
    <section>
      <PageTitle sub={data.patient.name}>{t('session.title')}</PageTitle>
      {data.plan && (
        <p class="notice notice-info">
          {t('session.fromPlan')} <a href={href.plan(data.plan.id)}>{t('timeline.plan')}</a>
        </p>
      )}
      <form onSubmit={submit}>
        <ErrorNotice error={error} title={t('session.notSaved')} />
        <fieldset>
          <legend>{t('session.what')}</legend>
          <div class="grid">
            <Field label={t('session.date')}>
              {(id) => <input id={id} type="date" required value={date} onInput={(e) => setDate(e.currentTarget.value)} />}
            </Field>
            <Field label={t('session.modality')}>
              {(id) => (
                <select
                  id={id}
                  required
                  value={modality}
                  onChange={(e) => {
                    setModality(e.currentTarget.value);
                    setParameters({});
                  }}
                >
                  <option value="" disabled>
                    {t('common.choose')}
                  </option>
                  {data.vocab.modalities.map((m) => (
                    <option value={m.id} key={m.id}>
                      {label('modality', m.id)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('visit.region')}>
              {(id) => (
                <select id={id} required value={region} onChange={(e) => setRegion(e.currentTarget.value)}>
                  <option value="" disabled>
                    {t('common.choose')}
                  </option>
                  {data.vocab.regions.map((name) => (
                    <option value={name} key={name}>
                      {label('region', name)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('session.visit')}>
              {(id) => (
                <select id={id} value={visitId} onChange={(e) => setVisitId(e.currentTarget.value)}>
                  <option value="">{t('session.noVisit')}</option>
                  {data.visits.map((visit) => (
                    <option value={visit.id} key={visit.id}>
                      {formatDate(visit.date)} · {label('region', visit.region)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
        </fieldset>
        {modality && (
          <fieldset>
            <legend>{t('session.parameters', { modality: label('modality', modality) })}</legend>
            {parameterSpecs.length === 0 && <p>{t('session.noParameters')}</p>}
            <div class="grid">
              {parameterSpecs.map(([name, spec]) => (
                <Field
                  key={name}
                  label={`${spec.description || label('parameter', name)} (${spec.unit})`}
                  hint={t('session.range', { min: spec.min, max: spec.max, unit: spec.unit }) + (spec.confirmed ? '' : ` · ${t('session.rangeUnconfirmed')}`)}
                  error={touched || parameters[name] ? parameterError(name) : undefined}
                >
                  {(id, describedBy) => (
                    <input
                      id={id}
                      type="number"
                      step="any"
                      min={spec.min}
                      max={spec.max}
                      aria-describedby={describedBy}
                      aria-invalid={parameterError(name) ? 'true' : undefined}
                      value={parameters[name] ?? ''}
                      onInput={(e) => {
                        const value = e.currentTarget.value;
                        setParameters((current) => ({ ...current, [name]: value }));
                      }}
                    />
                  )}
                </Field>
              ))}
            </div>
          </fieldset>
        )}
        <fieldset>
          <legend>{t('session.targetScars')}</legend>
          {scars.length === 0 ? (
            <p>{t('session.noScars')}</p>
          ) : (
            <>
              <p class="hint">
                {t('session.targetsFrom')}{' '}
                {data.target && <a href={href.scan(data.target.scanId, targets)}>{t('upload.openScan')}</a>}
              </p>
              <div class="grid">
                {scars.map((scar) => (
                  <label class="check" key={scar.id}>
                    <input
                      type="checkbox"
                      checked={targets.includes(scar.id)}
                      onChange={(e) => {
                        const checked = e.currentTarget.checked;
                        setTargets((current) =>
                          checked ? [...current, scar.id].sort((a, b) => a - b) : current.filter((id) => id !== scar.id),
                        );
                      }}
                    />
                    {t('scan.scarTitle', { id: scar.id, type: label('scarType', scar.type) })}
                  </label>
                ))}
              </div>
            </>
          )}
        </fieldset>
        <fieldset>
          <legend>{t('session.operatorAndNotes')}</legend>
          <p>{t('session.operator', { name: user.display_name || user.email })}</p>
          <Field label={t('visit.notes')}>
            {(id) => <textarea id={id} rows={3} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />}
          </Field>
        </fieldset>
        <fieldset>
          <legend>{t('adverse.title')}</legend>
          {adverse.length === 0 && <p>{t('adverse.none')}</p>}
          {adverse.map((event, index) => (
            <div class="inline-form" key={index} role="group" aria-label={t('adverse.number', { n: index + 1 })}>
              <div class="grid">
                <Field label={t('adverse.kind')}>
                  {(id) => (
                    <select id={id} required value={event.kind} onChange={(e) => updateAdverse(index, { kind: e.currentTarget.value })}>
                      <option value="" disabled>
                        {t('common.choose')}
                      </option>
                      {data.vocab.adverse_event_kinds.map((kind) => (
                        <option value={kind} key={kind}>
                          {label('adverse', kind)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label={t('adverse.severity')}>
                  {(id) => (
                    <select
                      id={id}
                      value={event.severity}
                      onChange={(e) => updateAdverse(index, { severity: e.currentTarget.value as AdverseDraft['severity'] })}
                    >
                      {(['mild', 'moderate', 'severe'] as const).map((severity) => (
                        <option value={severity} key={severity}>
                          {t(`severity.${severity}`)}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label={t('adverse.onset')}>
                  {(id) => (
                    <input id={id} type="date" required value={event.onset} onInput={(e) => updateAdverse(index, { onset: e.currentTarget.value })} />
                  )}
                </Field>
                <Field label={t('adverse.resolved')} hint={t('adverse.resolvedHint')}>
                  {(id, describedBy) => (
                    <input
                      id={id}
                      type="date"
                      aria-describedby={describedBy}
                      min={event.onset}
                      value={event.resolved}
                      onInput={(e) => updateAdverse(index, { resolved: e.currentTarget.value })}
                    />
                  )}
                </Field>
              </div>
              <Field label={t('visit.notes')}>
                {(id) => <input id={id} value={event.notes} onInput={(e) => updateAdverse(index, { notes: e.currentTarget.value })} />}
              </Field>
              <button type="button" class="danger" onClick={() => setAdverse((current) => current.filter((_, i) => i !== index))}>
                {t('adverse.removeEntry', { n: index + 1 })}
              </button>
            </div>
          ))}
          <button
            type="button"
            onClick={() => setAdverse((current) => [...current, { kind: '', severity: 'mild', onset: date, resolved: '', notes: '' }])}
          >
            {t('adverse.add')}
          </button>
        </fieldset>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {t('session.save')}
          </button>
          <a class="button" href={href.patient(patientId)}>
            {t('common.cancel')}
          </a>
        </div>
      </form>
    </section>
  );
}

export default SessionFormPage;
