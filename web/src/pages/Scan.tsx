// The scan view: the relief with each scar outlined in its type's colour and numbered; hover or
// select a scar for its measurements and the reason for its type; the scar table sortable by type,
// size, depth and volume; the grades with what they rest on; the clinician's corrections (a scar's
// type, a false detection removed, the inputs a scan cannot see), stored with who and when, after
// which the grades follow; and the 3D view of the surface (loaded only when opened).
import { useMemo, useState } from 'preact/hooks';

import { ApiError, apiPath, call, type Schemas } from '../api/client';
import { SCAR_TYPES, type Analysis, type Scar, type ScarType } from '../api/documents';
import { Grades } from '../components/Grades';
import { ScarFigure } from '../components/ScarFigure';
import { JobStatus, useJob } from '../components/ScanUpload';
import { SurfaceView } from '../components/SurfaceView';
import {
  ErrorNotice,
  Field,
  Loading,
  PageTitle,
  SortHeader,
  useLoad,
  type SortState,
} from '../components/ui';
import { formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { label } from '../labels';
import { href, type Route } from '../router';
import type { User } from './Login';

type ScanRecord = Schemas['Scan'];
type Assessment = Schemas['Assessment'];
type Job = Schemas['Job'];

export interface ScanView {
  scan: ScanRecord;
  assessment: Assessment | null;
  job: Job | null;
}

// GET /scans/{id}: the scan, its assessment once analysed, and its latest analysis job.
export async function loadScan(id: string, signal?: AbortSignal): Promise<ScanView> {
  const answer = await call('GET /scans/{id}', { path: { id }, ...(signal ? { signal } : {}) });
  const analyses = answer.jobs.filter((job) => job.kind === 'analysis');
  return { scan: answer.scan, assessment: answer.assessment, job: analyses[analyses.length - 1] ?? null };
}

// What a clinician may say about one scar, and about the whole visit (DESIGN.md "Clinician inputs").
export interface ScarInput {
  type?: ScarType;
  remove?: boolean;
  stretch_flattens?: boolean;
  normal_base?: boolean;
  tethered?: boolean;
}
export interface ClinicianInputs {
  macular_scars?: { erythematous?: number; hyperpigmented?: number };
  papular_scars?: number;
  superficial_elastolysis?: boolean;
  scars?: Record<string, ScarInput>;
  [other: string]: unknown;
}

// The inputs in force: the latest correction's (each correction is stored whole).
function inputsInForce(assessment: Assessment): ClinicianInputs {
  const last = assessment.corrections[assessment.corrections.length - 1];
  return last ? ((last.clinician_inputs as unknown as ClinicianInputs) ?? {}) : {};
}

type SortKey = 'id' | 'type' | 'diameter' | 'depth' | 'volume';

function sortValue(scar: Scar, key: SortKey): number | string {
  switch (key) {
    case 'id':
      return scar.id;
    case 'type':
      return scar.type;
    case 'diameter':
      return scar.diameter_mm ?? -1;
    case 'depth':
      return scar.depth_um ?? -(scar.height_um ?? 0);
    case 'volume':
      return scar.volume_mm3 ?? -1;
  }
}

function depthText(scar: Scar): string {
  if (scar.type === 'hypertrophic' || (scar.height_um !== undefined && scar.height_um !== null))
    return t('scan.heightValue', { value: formatNumber(scar.height_um ?? null, 0) });
  const value = formatNumber(scar.depth_um ?? null, 0);
  return scar.depth_is_lower_bound ? t('scan.depthLowerBound', { value }) : value;
}

function ScarDetail({
  scar,
  inputs,
  canCorrect,
  onCorrect,
  busy,
}: {
  scar: Scar;
  inputs: ScarInput | undefined;
  canCorrect: boolean;
  onCorrect: (change: ScarInput | null) => void;
  busy: boolean;
}) {
  const [type, setType] = useState<ScarType>(scar.type);
  return (
    <section class="panel scar-detail" aria-labelledby="scar-detail-title" aria-live="polite">
      <h2 id="scar-detail-title">
        <span class={`type-swatch type-${scar.type}`} aria-hidden="true" />
        {t('scan.scarTitle', { id: scar.id, type: label('scarType', scar.type) })}
      </h2>
      {scar.reason && (
        <p>
          <strong>{t('scan.why')}</strong> {scar.reason}
        </p>
      )}
      <dl>
        <dt>{t('scan.diameter')}</dt>
        <dd>{formatNumber(scar.diameter_mm, 2)} mm</dd>
        <dt>{t('scan.axes')}</dt>
        <dd>
          {formatNumber(scar.major_mm, 2)} × {formatNumber(scar.minor_mm, 2)} mm
        </dd>
        <dt>{t('scan.area')}</dt>
        <dd>{formatNumber(scar.area_mm2, 2)} mm²</dd>
        <dt>{scar.type === 'hypertrophic' ? t('scan.height') : t('scan.depth')}</dt>
        <dd>{depthText(scar)} µm</dd>
        <dt>{t('scan.volume')}</dt>
        <dd>{formatNumber(scar.volume_mm3, 3)} mm³</dd>
        <dt>{t('scan.wallSlope')}</dt>
        <dd>{formatNumber(scar.wall_slope_deg, 0)}°</dd>
        <dt>{t('scan.confidence')}</dt>
        <dd>{formatNumber(scar.confidence, 2)}</dd>
      </dl>
      {canCorrect && (
        <form
          class="inline-form"
          aria-label={t('scan.correctTitle', { id: scar.id })}
          onSubmit={(event) => {
            event.preventDefault();
            onCorrect({ ...(inputs ?? {}), type });
          }}
        >
          <Field label={t('scan.correctType')}>
            {(id) => (
              <select id={id} value={type} onChange={(event) => setType(event.currentTarget.value as ScarType)}>
                {SCAR_TYPES.map((value) => (
                  <option value={value} key={value}>
                    {label('scarType', value)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy || type === scar.type}>
              {t('scan.saveType')}
            </button>
            <button type="button" class="danger" disabled={busy} onClick={() => onCorrect({ remove: true })}>
              {t('scan.removeScar')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function GradingInputs({
  inputs,
  onSave,
  busy,
}: {
  inputs: ClinicianInputs;
  onSave: (change: ClinicianInputs) => void;
  busy: boolean;
}) {
  const [erythematous, setErythematous] = useState(String(inputs.macular_scars?.erythematous ?? ''));
  const [hyperpigmented, setHyperpigmented] = useState(String(inputs.macular_scars?.hyperpigmented ?? ''));
  const [papular, setPapular] = useState(String(inputs.papular_scars ?? ''));
  const [elastolysis, setElastolysis] = useState(inputs.superficial_elastolysis ?? false);
  const count = (text: string) => (text.trim() === '' ? undefined : Math.max(0, Math.round(Number(text))));
  return (
    <form
      class="inline-form"
      aria-label={t('scan.gradingInputs')}
      onSubmit={(event) => {
        event.preventDefault();
        const macular: { erythematous?: number; hyperpigmented?: number } = {};
        const e = count(erythematous);
        const h = count(hyperpigmented);
        if (e !== undefined) macular.erythematous = e;
        if (h !== undefined) macular.hyperpigmented = h;
        const change: ClinicianInputs = { superficial_elastolysis: elastolysis, macular_scars: macular };
        const p = count(papular);
        if (p !== undefined) change.papular_scars = p;
        onSave(change);
      }}
    >
      <p class="hint">{t('scan.gradingInputsHint')}</p>
      <div class="grid">
        <Field label={t('scan.macularErythematous')}>
          {(id) => (
            <input id={id} type="number" min={0} value={erythematous} onInput={(e) => setErythematous(e.currentTarget.value)} />
          )}
        </Field>
        <Field label={t('scan.macularHyperpigmented')}>
          {(id) => (
            <input
              id={id}
              type="number"
              min={0}
              value={hyperpigmented}
              onInput={(e) => setHyperpigmented(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label={t('scan.papular')}>
          {(id) => <input id={id} type="number" min={0} value={papular} onInput={(e) => setPapular(e.currentTarget.value)} />}
        </Field>
      </div>
      <label class="check">
        <input type="checkbox" checked={elastolysis} onChange={(e) => setElastolysis(e.currentTarget.checked)} />
        {t('scan.elastolysis')}
      </label>
      <button type="submit" disabled={busy}>
        {t('scan.saveGradingInputs')}
      </button>
    </form>
  );
}

function ScanPage({ route, user }: { route: Route; user: User }) {
  const id = route.page === 'scan' ? route.id : '';
  const highlighted = route.page === 'scan' ? route.highlight : [];
  const view = useLoad((signal) => loadScan(id, signal), [id]);
  const visit = useLoad(
    (signal) =>
      view.data ? call('GET /visits/{id}', { path: { id: view.data.scan.visit_id }, signal }) : Promise.resolve(undefined),
    [view.data?.scan.visit_id],
  );
  const pendingJob = view.data && !view.data.assessment ? (view.data.job ?? undefined) : undefined;
  const { job } = useJob(pendingJob?.id, (finished) => {
    if (finished.state === 'done') view.reload();
  });
  const [selected, setSelected] = useState<number | null>(null);
  const [hovered, setHovered] = useState<number | null>(null);
  const [sort, setSort] = useState<SortState<SortKey>>({ key: 'id', direction: 'ascending' });
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(undefined);
  const [saved, setSaved] = useState('');
  const [show3d, setShow3d] = useState(false);
  const [around, setAround] = useState(false);

  const analysis = view.data?.assessment?.analysis as unknown as Analysis | undefined;
  const scars = useMemo(() => {
    const list = [...(analysis?.scars ?? [])];
    list.sort((a, b) => {
      const x = sortValue(a, sort.key);
      const y = sortValue(b, sort.key);
      const order = x < y ? -1 : x > y ? 1 : a.id - b.id;
      return sort.direction === 'ascending' ? order : -order;
    });
    return list;
  }, [analysis, sort]);

  if (view.loading && !view.data) return <Loading />;
  if (view.error) return <ErrorNotice error={view.error} />;
  const data = view.data;
  if (!data) return null;
  const { scan, assessment } = data;
  const canCorrect = user.role === 'clinician';
  const inputs = assessment ? inputsInForce(assessment) : {};
  const removedIds = Object.entries(inputs.scars ?? {})
    .filter(([, value]) => value.remove)
    .map(([key]) => Number(key));

  const correct = async (change: ClinicianInputs, message: string) => {
    setSaving(true);
    setSaveError(undefined);
    setSaved('');
    try {
      const merged: ClinicianInputs = { ...inputs, ...change, scars: { ...(inputs.scars ?? {}), ...(change.scars ?? {}) } };
      for (const [key, value] of Object.entries(merged.scars ?? {})) {
        if (value === null || Object.keys(value).length === 0) delete merged.scars?.[key];
      }
      await call('PATCH /scans/{id}/assessment', { path: { id }, body: merged as never });
      setSaved(message);
      view.reload();
    } catch (failure) {
      setSaveError(failure);
    } finally {
      setSaving(false);
    }
  };

  const shown = scars.find((scar) => scar.id === (hovered ?? selected)) ?? null;
  const visitData = visit.data;
  const extent = analysis?.scan
    ? {
        width_mm: (analysis.scan.nx * analysis.scan.dx_um) / 1000,
        height_mm: (analysis.scan.ny * analysis.scan.dy_um) / 1000,
      }
    : null;

  return (
    <section>
      <PageTitle
        sub={
          visitData
            ? t('scan.subtitle', {
                date: formatDate(visitData.visit.date),
                region: label('region', visitData.visit.region),
                file: scan.file_name,
              })
            : scan.file_name
        }
      >
        {t('scan.title')}
      </PageTitle>
      <p>
        <a href={href.patient(scan.patient_id)}>{t('scan.backToPatient')}</a>
      </p>
      {!assessment && (job ?? pendingJob) && <JobStatus job={(job ?? pendingJob) as Job} />}
      {!assessment && !pendingJob && <p>{t('scan.notAnalysed')}</p>}
      {assessment && analysis && extent && (
        <>
          <div class="scan-layout">
            <div>
              <ScarFigure
                imageUrl={apiPath('/scans/{id}/relief.png', { id })}
                extent={extent}
                scars={analysis.scars}
                selected={selected}
                highlighted={highlighted}
                onSelect={setSelected}
                onHover={setHovered}
              />
              <div class="actions">
                <button type="button" aria-expanded={show3d} onClick={() => setShow3d(!show3d)}>
                  {show3d ? t('surface.hide') : t('surface.show')}
                </button>
                {show3d && selected !== null && (
                  <label class="check">
                    <input type="checkbox" checked={around} onChange={(e) => setAround(e.currentTarget.checked)} />
                    {t('surface.aroundSelected', { id: selected })}
                  </label>
                )}
              </div>
              {show3d && (
                <SurfaceView
                  scanId={id}
                  focus={
                    around && selected !== null
                      ? (() => {
                          const scar = analysis.scars.find((s) => s.id === selected);
                          return scar ? { center_mm: scar.centroid_mm, radius_mm: Math.max(2, (scar.diameter_mm ?? 1) * 2) } : null;
                        })()
                      : null
                  }
                />
              )}
            </div>
            <div>
              {shown ? (
                <ScarDetail
                  key={shown.id}
                  scar={shown}
                  inputs={inputs.scars?.[String(shown.id)]}
                  canCorrect={canCorrect && hovered === null}
                  busy={saving}
                  onCorrect={(change) =>
                    void correct(
                      { scars: { [String(shown.id)]: change ?? {} } },
                      change?.remove
                        ? t('scan.removedMessage', { id: shown.id })
                        : t('scan.typeMessage', { id: shown.id, type: label('scarType', change?.type ?? shown.type) }),
                    ).then(() => change?.remove && setSelected(null))
                  }
                />
              ) : (
                <p class="panel">{t('scan.selectHint')}</p>
              )}
              <ErrorNotice error={saveError} />
              {saved && (
                <p class="notice notice-info" role="status">
                  {saved}
                </p>
              )}
              <section class="panel" aria-labelledby="grades-title">
                <h2 id="grades-title">{t('grades.title')}</h2>
                <Grades grades={analysis.grades} />
                {canCorrect && <GradingInputs inputs={inputs} busy={saving} onSave={(change) => void correct(change, t('scan.inputsSaved'))} />}
              </section>
            </div>
          </div>
          <section aria-labelledby="scars-title">
            <h2 id="scars-title">{t('scan.scarsTitle', { n: analysis.scars.length })}</h2>
            <div class="table-wrap">
              <table class="scars">
                <thead>
                  <tr>
                    <SortHeader label={t('scan.col.id')} column="id" sort={sort} onSort={setSort} numeric />
                    <SortHeader label={t('scan.col.type')} column="type" sort={sort} onSort={setSort} />
                    <SortHeader label={t('scan.col.diameter')} column="diameter" sort={sort} onSort={setSort} numeric />
                    <SortHeader label={t('scan.col.depth')} column="depth" sort={sort} onSort={setSort} numeric />
                    <SortHeader label={t('scan.col.volume')} column="volume" sort={sort} onSort={setSort} numeric />
                    <th scope="col">{t('scan.col.reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {scars.map((scar) => (
                    <tr key={scar.id} class={scar.id === selected ? 'selected' : undefined}>
                      <td class="num">
                        <button
                          type="button"
                          class="link"
                          aria-pressed={scar.id === selected}
                          onClick={() => setSelected(scar.id === selected ? null : scar.id)}
                        >
                          {t('scan.selectScar', { id: scar.id })}
                        </button>
                      </td>
                      <td>
                        <span class={`type-swatch type-${scar.type}`} aria-hidden="true" />
                        {label('scarType', scar.type)}
                        {inputs.scars?.[String(scar.id)]?.type && <small> ({t('scan.corrected')})</small>}
                      </td>
                      <td class="num">{formatNumber(scar.diameter_mm, 2)}</td>
                      <td class="num">{depthText(scar)}</td>
                      <td class="num">{formatNumber(scar.volume_mm3, 3)}</td>
                      <td>{scar.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {removedIds.length > 0 && (
              <p>
                {t('scan.removedList', { ids: removedIds.join(', ') })}{' '}
                {canCorrect &&
                  removedIds.map((removedId) => (
                    <button
                      type="button"
                      key={removedId}
                      disabled={saving}
                      onClick={() =>
                        void correct({ scars: { [String(removedId)]: {} } }, t('scan.restoredMessage', { id: removedId }))
                      }
                    >
                      {t('scan.restore', { id: removedId })}
                    </button>
                  ))}
              </p>
            )}
          </section>
          {assessment.corrections.length > 0 && (
            <section aria-labelledby="corrections-title" class="panel">
              <h2 id="corrections-title">{t('scan.correctionsTitle')}</h2>
              <ul class="plain">
                {assessment.corrections.map((correction) => (
                  <li key={correction.id}>
                    {t('common.by', {
                      who: correction.made_by === user.id ? t('scan.you') : correction.made_by,
                      at: formatDateTime(correction.made_at),
                    })}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      {saveError instanceof ApiError && saveError.code === 'forbidden' && <p>{t('scan.onlyClinicians')}</p>}
    </section>
  );
}

export default ScanPage;
