// Manual mode, for clinics without a 3D camera: a photograph (JPEG or PNG) of the treated region is
// uploaded to the visit, each scar is marked on it (type, approximate diameter in mm from a ruler
// or a known distance marked on the photo, depth class, stretch test), and the marks give grades and
// a plan through the library, labelled everywhere "clinician estimate from photograph, not a
// measurement" (basis clinician_only). Follow-up photos of the same region are compared by count
// and type.
import { useEffect, useState } from 'preact/hooks';

import { apiPath, call, uploadFile } from '../api/client';
import { SCAR_TYPES, type Analysis, type ScarType } from '../api/documents';
import { Grades } from '../components/Grades';
import { PhotoMarker, mmPerPixel, type Mark, type Ruler } from '../components/PhotoMarker';
import { ErrorNotice, Field, Loading, PageTitle, ProgressBar, useId, useLoad } from '../components/ui';
import { formatDate, formatDateTime, formatNumber, t } from '../i18n';
import { label } from '../labels';
import { href, navigate, type Route } from '../router';
import type { User } from './Login';

// A photograph as GET /photos/{id} gives it: the record, the marks in force and what the library
// made of them.
export interface Photo {
  id: string;
  patient_id: string;
  visit_id: string;
  file_name: string;
  media_type: string;
  width: number;
  height: number;
  uploaded_by: string;
  uploaded_at: string;
  marking: null | {
    id: string;
    marks: Mark[];
    ruler: Ruler | null;
    made_by: string;
    made_at: string;
  };
  estimate: null | { basis: 'clinician_only'; label: string; counts: Record<string, number>; grades: Analysis['grades'] };
}

function counts(photo: Photo): Record<ScarType, number> {
  const result: Record<ScarType, number> = { ice_pick: 0, boxcar: 0, rolling: 0, hypertrophic: 0 };
  for (const mark of photo.marking?.marks ?? []) result[mark.type] += 1;
  return result;
}

function PhotoUpload({ visitId, onUploaded }: { visitId: string; onUploaded: (photo: Photo) => void }) {
  const inputId = useId('photo-file');
  const [sent, setSent] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const send = async (file: File) => {
    setError(undefined);
    setSent(0);
    try {
      const photo = await uploadFile<Photo>(apiPath('/visits/{id}/photos', { id: visitId }), file, file.name, (p) =>
        setSent(p.total ? p.loaded / p.total : 0),
      ).done;
      onUploaded(photo);
    } catch (failure) {
      setError(failure);
    } finally {
      setSent(null);
    }
  };
  return (
    <div
      class="drop-zone"
      onDragOver={(event) => event.preventDefault()}
      onDrop={(event) => {
        event.preventDefault();
        const file = event.dataTransfer?.files[0];
        if (file) void send(file);
      }}
    >
      <label for={inputId}>{t('manual.uploadLabel')}</label>
      <input
        id={inputId}
        type="file"
        accept="image/jpeg,image/png"
        disabled={sent !== null}
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          if (file) void send(file);
          event.currentTarget.value = '';
        }}
      />
      {sent !== null && <ProgressBar label={t('upload.sending')} value={sent} />}
      <ErrorNotice error={error} title={t('upload.refused')} />
    </div>
  );
}

function MarkEditor({
  mark,
  index,
  scale,
  onChange,
  onRemove,
}: {
  mark: Mark;
  index: number;
  scale: number | null;
  onChange: (mark: Mark) => void;
  onRemove: () => void;
}) {
  return (
    <fieldset class="mark-editor">
      <legend>{t('manual.markTitle', { n: index + 1 })}</legend>
      <div class="grid">
        <Field label={t('scan.col.type')}>
          {(id) => (
            <select id={id} value={mark.type} onChange={(e) => onChange({ ...mark, type: e.currentTarget.value as ScarType })}>
              {SCAR_TYPES.map((type) => (
                <option value={type} key={type}>
                  {label('scarType', type)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('manual.diameter')} hint={scale ? t('manual.diameterHintRuler') : t('manual.diameterHint')}>
          {(id, describedBy) => (
            <input
              id={id}
              type="number"
              min={0.1}
              max={50}
              step={0.1}
              aria-describedby={describedBy}
              value={mark.diameter_mm ?? ''}
              onInput={(e) => {
                const text = e.currentTarget.value;
                onChange({ ...mark, diameter_mm: text === '' ? null : Number(text) });
              }}
            />
          )}
        </Field>
        <Field label={t('manual.depthClass')}>
          {(id) => (
            <select
              id={id}
              value={mark.depth_class ?? ''}
              onChange={(e) => {
                const value = e.currentTarget.value;
                onChange({ ...mark, depth_class: value === '' ? null : (value as 'shallow' | 'deep') });
              }}
            >
              <option value="">{t('common.unknown')}</option>
              <option value="shallow">{t('manual.shallow')}</option>
              <option value="deep">{t('manual.deep')}</option>
            </select>
          )}
        </Field>
        <Field label={t('manual.stretch')}>
          {(id) => (
            <select
              id={id}
              value={mark.stretch_flattens === null ? '' : mark.stretch_flattens ? 'yes' : 'no'}
              onChange={(e) => {
                const value = e.currentTarget.value;
                onChange({ ...mark, stretch_flattens: value === '' ? null : value === 'yes' });
              }}
            >
              <option value="">{t('manual.notTested')}</option>
              <option value="yes">{t('manual.flattens')}</option>
              <option value="no">{t('manual.doesNotFlatten')}</option>
            </select>
          )}
        </Field>
      </div>
      <button type="button" class="danger" onClick={onRemove}>
        {t('manual.removeMark', { n: index + 1 })}
      </button>
    </fieldset>
  );
}

function MarkingWorkspace({ photo, user, onSaved }: { photo: Photo; user: User; onSaved: (photo: Photo) => void }) {
  const [marks, setMarks] = useState<Mark[]>(photo.marking?.marks ?? []);
  const [ruler, setRuler] = useState<Ruler | null>(photo.marking?.ruler ?? null);
  const [rulerStart, setRulerStart] = useState<{ x: number; y: number } | null>(null);
  const [rulerMm, setRulerMm] = useState(String(photo.marking?.ruler?.mm ?? '10'));
  const [mode, setMode] = useState<'mark' | 'ruler-start' | 'ruler-end'>('mark');
  const [selected, setSelected] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [message, setMessage] = useState('');
  const scale = mmPerPixel(ruler);
  const canMark = user.role === 'clinician';

  useEffect(() => {
    setMarks(photo.marking?.marks ?? []);
    setRuler(photo.marking?.ruler ?? null);
  }, [photo.marking?.id]);

  const place = (x: number, y: number) => {
    if (mode === 'ruler-start') {
      setRulerStart({ x, y });
      setMode('ruler-end');
      setMessage(t('manual.rulerStartSet'));
      return;
    }
    if (mode === 'ruler-end' && rulerStart) {
      const mm = Number(rulerMm);
      setRuler({ x1: rulerStart.x, y1: rulerStart.y, x2: x, y2: y, mm: mm > 0 ? mm : 10 });
      setRulerStart(null);
      setMode('mark');
      setMessage(t('manual.rulerSet'));
      return;
    }
    setMarks((current) => [...current, { x, y, type: 'boxcar', diameter_mm: null, depth_class: null, stretch_flattens: null }]);
    setSelected(marks.length);
    setMessage(t('manual.markPlaced', { n: marks.length + 1 }));
  };

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const body = { marks, ruler: ruler ? { ...ruler, mm: Number(rulerMm) > 0 ? Number(rulerMm) : ruler.mm } : null };
      const saved = (await call('PUT /photos/{id}/marks', { path: { id: photo.id }, body: body as never })) as unknown as Photo;
      setMessage(t('manual.saved'));
      onSaved(saved);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const plan = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const created = await call('POST /photos/{id}/plan', { path: { id: photo.id }, body: {} });
      navigate(href.plan((created as { id: string }).id));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <div class="scan-layout">
      <div>
        <PhotoMarker
          imageUrl={apiPath('/photos/{id}/image', { id: photo.id })}
          width={photo.width}
          height={photo.height}
          marks={marks}
          ruler={ruler}
          selected={selected}
          mode={canMark ? mode : 'view'}
          onPlace={place}
          onSelect={setSelected}
          alt={t('manual.photoAlt', { file: photo.file_name, n: marks.length })}
        />
        <p id="photo-marker-help" class="hint">
          {t('manual.help')}
        </p>
        <p role="status" class="hint">
          {message}
        </p>
        {canMark && (
          <fieldset>
            <legend>{t('manual.ruler')}</legend>
            <p class="hint">{t('manual.rulerHint')}</p>
            <div class="actions">
              <Field label={t('manual.rulerMm')}>
                {(id) => (
                  <input id={id} type="number" min={0.1} step={0.1} value={rulerMm} onInput={(e) => setRulerMm(e.currentTarget.value)} />
                )}
              </Field>
              <button type="button" aria-pressed={mode !== 'mark'} onClick={() => setMode(mode === 'mark' ? 'ruler-start' : 'mark')}>
                {mode === 'mark' ? t('manual.drawRuler') : t('manual.stopRuler')}
              </button>
            </div>
            <p>{scale ? t('manual.scale', { value: formatNumber(scale * 1000, 1) }) : t('manual.noScale')}</p>
          </fieldset>
        )}
      </div>
      <div>
        <p class="estimate-label">{t('manual.estimateLabel')}</p>
        <ErrorNotice error={error} />
        {marks.length === 0 && <p>{t('manual.noMarks')}</p>}
        {canMark && (
          <div class="actions">
            <button
              type="button"
              onClick={() => {
                place(Math.round(photo.width / 2), Math.round(photo.height / 2));
              }}
            >
              {t('manual.addMarkCentre')}
            </button>
          </div>
        )}
        {marks.map((mark, index) =>
          canMark && (selected === index || selected === null) ? (
            <MarkEditor
              key={index}
              mark={mark}
              index={index}
              scale={scale}
              onChange={(changed) => setMarks((current) => current.map((m, i) => (i === index ? changed : m)))}
              onRemove={() => {
                setMarks((current) => current.filter((_, i) => i !== index));
                setSelected(null);
              }}
            />
          ) : (
            <p key={index}>
              <button type="button" class="link" onClick={() => setSelected(index)}>
                {t('manual.markSummary', {
                  n: index + 1,
                  type: label('scarType', mark.type),
                  diameter: mark.diameter_mm ? `${formatNumber(mark.diameter_mm, 1)} mm` : '–',
                })}
              </button>
            </p>
          ),
        )}
        {selected !== null && marks.length > 1 && (
          <button type="button" onClick={() => setSelected(null)}>
            {t('manual.showAllMarks')}
          </button>
        )}
        {canMark && (
          <div class="actions">
            <button type="button" class="primary" disabled={busy} onClick={() => void save()}>
              {t('manual.save')}
            </button>
            <button type="button" disabled={busy || !photo.marking} onClick={() => void plan()}>
              {t('manual.plan')}
            </button>
          </div>
        )}
        {photo.marking && (
          <p class="hint">
            {t('manual.markedBy', {
              who: photo.marking.made_by === user.id ? t('scan.you') : photo.marking.made_by,
              at: formatDateTime(photo.marking.made_at),
            })}
          </p>
        )}
        {photo.estimate && (
          <section class="panel" aria-labelledby="manual-grades-title">
            <h2 id="manual-grades-title">{t('grades.title')}</h2>
            <Grades grades={photo.estimate.grades} />
          </section>
        )}
      </div>
    </div>
  );
}

function ManualPage({ route, user }: { route: Route; user: User }) {
  const visitId = route.page === 'manual' ? route.visitId : '';
  const visit = useLoad((signal) => call('GET /visits/{id}', { path: { id: visitId }, signal }), [visitId]);
  const photos = useLoad(
    async (signal) => {
      const list = (await call('GET /visits/{id}/photos', { path: { id: visitId }, signal })) as unknown as { items: Photo[] };
      return list.items;
    },
    [visitId],
  );
  const patientPhotos = useLoad(
    async (signal) => {
      if (!visit.data) return [];
      const list = (await call('GET /patients/{id}/photos', { path: { id: visit.data.visit.patient_id }, signal })) as unknown as {
        items: (Photo & { visit_date?: string; region?: string })[];
      };
      return list.items;
    },
    [visit.data?.visit.patient_id, photos.data],
  );
  const [current, setCurrent] = useState<Photo | null>(null);

  useEffect(() => {
    if (!photos.data) return;
    setCurrent((shown) => photos.data?.find((p) => p.id === shown?.id) ?? photos.data?.[photos.data.length - 1] ?? null);
  }, [photos.data]);

  if ((visit.loading && !visit.data) || (photos.loading && !photos.data)) return <Loading />;
  const error = visit.error ?? photos.error;
  if (error) return <ErrorNotice error={error} />;
  if (!visit.data) return null;
  const { visit: record } = visit.data;

  // Marked photos of the same region, oldest first: the first is the baseline of the comparison.
  const sameRegion = (patientPhotos.data ?? []).filter((p) => p.marking && (p.region ?? record.region) === record.region);
  const baseline = sameRegion[0];

  return (
    <section>
      <PageTitle sub={t('manual.subtitle', { date: formatDate(record.date), region: label('region', record.region) })}>
        {t('manual.title')}
      </PageTitle>
      <p>
        <a href={href.patient(record.patient_id)}>{t('scan.backToPatient')}</a>
      </p>
      <p class="estimate-label">{t('manual.estimateLabel')}</p>
      {(photos.data ?? []).length > 1 && (
        <Field label={t('manual.choosePhoto')}>
          {(id) => (
            <select
              id={id}
              value={current?.id ?? ''}
              onChange={(e) => setCurrent(photos.data?.find((p) => p.id === e.currentTarget.value) ?? null)}
            >
              {(photos.data ?? []).map((photo) => (
                <option value={photo.id} key={photo.id}>
                  {photo.file_name} ({formatDateTime(photo.uploaded_at)})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <PhotoUpload
        visitId={visitId}
        onUploaded={(photo) => {
          setCurrent(photo);
          photos.reload();
        }}
      />
      {current && (
        <MarkingWorkspace
          key={current.id}
          photo={current}
          user={user}
          onSaved={(saved) => {
            setCurrent(saved);
            photos.reload();
          }}
        />
      )}
      {current?.marking && baseline && baseline.id !== current.id && (
        <section aria-labelledby="manual-compare-title" class="panel">
          <h2 id="manual-compare-title">{t('manual.compareTitle')}</h2>
          <p class="hint">{t('manual.compareHint', { date: formatDate(baseline.visit_date ?? baseline.uploaded_at) })}</p>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('scan.col.type')}</th>
                  <th scope="col" class="num">{t('manual.countBaseline')}</th>
                  <th scope="col" class="num">{t('manual.countNow')}</th>
                  <th scope="col" class="num">{t('manual.countChange')}</th>
                </tr>
              </thead>
              <tbody>
                {(() => {
                  const before = counts(baseline);
                  const after = counts(current);
                  const rows = SCAR_TYPES.map((type) => (
                    <tr key={type}>
                      <th scope="row">{label('scarType', type)}</th>
                      <td class="num">{before[type]}</td>
                      <td class="num">{after[type]}</td>
                      <td class="num">{after[type] - before[type]}</td>
                    </tr>
                  ));
                  const total = (c: Record<ScarType, number>) => SCAR_TYPES.reduce((sum, type) => sum + c[type], 0);
                  rows.push(
                    <tr key="total">
                      <th scope="row">{t('manual.total')}</th>
                      <td class="num">{total(before)}</td>
                      <td class="num">{total(after)}</td>
                      <td class="num">{total(after) - total(before)}</td>
                    </tr>,
                  );
                  return rows;
                })()}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </section>
  );
}

export default ManualPage;
