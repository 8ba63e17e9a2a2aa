// The progress view: per-scar and total volume and depth over the visits of one region (uPlot),
// each scar's minimal detectable change, baseline and latest side by side with the difference map,
// and the change said in words ("41 % less volume, beyond measurement noise").
import { useState } from 'preact/hooks';

import { apiPath, call } from '../api/client';
import type { ProgressDocument, TrajectoryPoint } from '../api/documents';
import { Chart, type ChartSeries } from '../components/Chart';
import { ErrorNotice, Field, Loading, PageTitle, useLoad } from '../components/ui';
import { formatDate, formatNumber, t } from '../i18n';
import { label } from '../labels';
import { href, type Route } from '../router';
import type { User } from './Login';

const TYPE_COLOURS: Record<string, string> = {
  ice_pick: '#d62828',
  boxcar: '#e07a00',
  rolling: '#1f6fd1',
  hypertrophic: '#2a9d3f',
};

// A visit of the series as the library gives it: the first is the baseline; the others carry
// their comparison's global change.
interface SeriesVisit {
  visit: number;
  count?: number;
  global?: { volume_mm3?: [number | null, number | null]; volume_change_pct?: number | null; volume_mdc_mm3?: number | null };
}

// The change in words: how much, which way, and whether it is beyond the measurement's noise.
export function changeInWords(before: number | null | undefined, after: number | null | undefined, mdc: number | null | undefined): string {
  if (before === null || before === undefined || after === null || after === undefined || !(before > 0))
    return t('progress.words.unknown');
  const pct = Math.round(((after - before) / before) * 100);
  const beyond = mdc !== null && mdc !== undefined ? Math.abs(after - before) > mdc : null;
  const noise =
    beyond === null ? t('progress.words.noMdc') : beyond ? t('progress.words.beyond') : t('progress.words.within');
  if (pct === 0) return t('progress.words.same', { noise });
  return pct < 0
    ? t('progress.words.less', { pct: Math.abs(pct), noise })
    : t('progress.words.more', { pct, noise });
}

function point(trajectory: TrajectoryPoint[], visit: number): TrajectoryPoint | undefined {
  return trajectory.find((p) => p.visit === visit);
}

function ProgressPage({ route }: { route: Route; user: User }) {
  const patientId = route.page === 'progress' ? route.patientId : '';
  const visits = useLoad((signal) => call('GET /patients/{id}/visits', { path: { id: patientId }, signal }), [patientId]);
  const regions = [...new Set((visits.data?.items ?? []).map((visit) => visit.region))];
  const [region, setRegion] = useState('');
  const chosen = region || regions[0] || '';
  const progress = useLoad(
    (signal) =>
      chosen
        ? call('GET /patients/{id}/progress', { path: { id: patientId }, query: { region: chosen as never }, signal })
        : Promise.resolve(undefined),
    [patientId, chosen],
  );
  const patient = useLoad((signal) => call('GET /patients/{id}', { path: { id: patientId }, signal }), [patientId]);

  if ((visits.loading && !visits.data) || (progress.loading && !progress.data && !progress.error)) return <Loading />;
  const error = visits.error ?? progress.error;
  const answer = progress.data;
  const data = (answer?.series ?? null) as unknown as (Omit<ProgressDocument, 'visits'> & { visits: SeriesVisit[] }) | null;
  const visitList: SeriesVisit[] = data?.visits ?? [];
  const recordVisits = answer?.visits ?? [];
  const xLabels = visitList.map((visit, index) => {
    const date = recordVisits[index]?.date;
    return date ? formatDate(date) : t('progress.visitN', { n: visit.visit });
  });
  const last = visitList[visitList.length - 1];
  const firstFollowup = visitList[1];
  const baselineTotal = firstFollowup?.global?.volume_mm3?.[0] ?? null;
  const totals = visitList.map((visit, index) => (index === 0 ? baselineTotal : (visit.global?.volume_mm3?.[1] ?? null)));
  const latestGlobal = last && visitList.length > 1 ? last.global : undefined;

  const scars = data?.scars ?? [];
  const volumeSeries: ChartSeries[] = scars.map((scar) => ({
    label: t('progress.scarLabel', { id: scar.id, type: label('scarType', scar.type) }),
    values: visitList.map((visit) => point(scar.trajectory, visit.visit)?.volume_mm3 ?? null),
    colour: TYPE_COLOURS[scar.type] ?? '#555',
  }));
  const depthSeries: ChartSeries[] = scars.map((scar) => ({
    label: t('progress.scarLabel', { id: scar.id, type: label('scarType', scar.type) }),
    values: visitList.map((visit) => point(scar.trajectory, visit.visit)?.depth_um ?? null),
    colour: TYPE_COLOURS[scar.type] ?? '#555',
  }));
  const mdcTotal = latestGlobal?.volume_mdc_mm3 ?? null;
  const latestComparison = recordVisits[recordVisits.length - 1]?.comparison_id ?? null;
  const pending = answer?.pending ?? [];

  return (
    <section>
      <PageTitle sub={patient.data?.name}>{t('progress.title')}</PageTitle>
      <p>
        <a href={href.patient(patientId)}>{t('scan.backToPatient')}</a>
      </p>
      {regions.length > 1 && (
        <Field label={t('visit.region')}>
          {(id) => (
            <select id={id} value={chosen} onChange={(e) => setRegion(e.currentTarget.value)}>
              {regions.map((name) => (
                <option value={name} key={name}>
                  {label('region', name)}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <ErrorNotice error={error} />
      {pending.length > 0 && (
        <div class="notice notice-info" role="status">
          {t('progress.pending')}
          <ul>
            {pending.map((entry) => (
              <li key={entry.scan_id}>
                <a href={href.scan(entry.scan_id)}>{t('timeline.scan')}</a>: {entry.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {!error && answer && visitList.length < 2 && <p>{t('progress.needTwo')}</p>}
      {data && visitList.length >= 2 && (
        <>
          <section class="panel" aria-labelledby="words-title">
            <h2 id="words-title">{t('progress.summary', { region: label('region', chosen), n: visitList.length })}</h2>
            <p class="change-words" data-testid="change-words">
              {t('progress.totalVolume')}: {changeInWords(latestGlobal?.volume_mm3?.[0], latestGlobal?.volume_mm3?.[1], mdcTotal)}
            </p>
            <p class="hint">
              {t('progress.mdcExplained', { mdc: formatNumber(mdcTotal, 4) })}
            </p>
          </section>
          <div class="charts">
            <Chart
              title={t('progress.chartTotal')}
              xLabels={xLabels}
              yLabel="mm³"
              series={[{ label: t('progress.totalVolume'), values: totals, colour: '#14324f' }]}
            />
            <Chart title={t('progress.chartVolume')} xLabels={xLabels} yLabel="mm³" series={volumeSeries} />
            <Chart title={t('progress.chartDepth')} xLabels={xLabels} yLabel="µm" series={depthSeries} />
          </div>
          {latestComparison && (
            <section aria-labelledby="pictures-title">
              <h2 id="pictures-title">{t('progress.pictures')}</h2>
              <figure class="comparison-figure">
                <img
                  src={apiPath('/comparisons/{id}/overlay.png', { id: latestComparison })}
                  alt={t('progress.differenceAlt')}
                />
                <figcaption>{t('progress.differenceCaption')}</figcaption>
              </figure>
            </section>
          )}
          <section aria-labelledby="per-scar-title">
            <h2 id="per-scar-title">{t('progress.perScar')}</h2>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('progress.col.scar')}</th>
                    <th scope="col" class="num">{t('progress.col.volumeBaseline')}</th>
                    <th scope="col" class="num">{t('progress.col.volumeLatest')}</th>
                    <th scope="col" class="num">{t('progress.col.mdc')}</th>
                    <th scope="col" class="num">{t('progress.col.depthBaseline')}</th>
                    <th scope="col" class="num">{t('progress.col.depthLatest')}</th>
                    <th scope="col">{t('progress.col.change')}</th>
                  </tr>
                </thead>
                <tbody>
                  {scars.map((scar) => {
                    const first = scar.trajectory[0];
                    const latest = [...scar.trajectory].reverse().find((p) => p.volume_mm3 !== null) ?? scar.trajectory[scar.trajectory.length - 1];
                    const lastPoint = scar.trajectory[scar.trajectory.length - 1];
                    return (
                      <tr key={scar.id}>
                        <th scope="row">
                          <span class={`type-swatch type-${scar.type}`} aria-hidden="true" />
                          {t('progress.scarLabel', { id: scar.id, type: label('scarType', scar.type) })}
                        </th>
                        <td class="num">{formatNumber(first?.volume_mm3, 3)}</td>
                        <td class="num">{formatNumber(latest?.volume_mm3, 3)}</td>
                        <td class="num">{formatNumber(lastPoint?.volume_mdc_mm3, 4)}</td>
                        <td class="num">{formatNumber(first?.depth_um, 0)}</td>
                        <td class="num">{formatNumber(latest?.depth_um, 0)}</td>
                        <td>
                          {lastPoint && lastPoint.visit > 1 && lastPoint.volume_mm3 !== null
                            ? changeInWords(first?.volume_mm3, lastPoint.volume_mm3, lastPoint.volume_mdc_mm3)
                            : label('trajectoryStatus', lastPoint?.status ?? '')}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <p class="hint">{t('progress.tableHint')}</p>
          </section>
          <section aria-labelledby="totals-title">
            <h2 id="totals-title">{t('progress.totalsTitle')}</h2>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('progress.col.visit')}</th>
                    <th scope="col" class="num">{t('progress.col.scars')}</th>
                    <th scope="col" class="num">{t('progress.col.totalVolume')}</th>
                    <th scope="col">{t('progress.col.change')}</th>
                  </tr>
                </thead>
                <tbody>
                  {visitList.map((visit, index) => (
                    <tr key={visit.visit}>
                      <th scope="row">{xLabels[index]}</th>
                      <td class="num">{visit.count ?? '–'}</td>
                      <td class="num">{formatNumber(totals[index], 3)}</td>
                      <td>
                        {index === 0
                          ? t('progress.baseline')
                          : changeInWords(visit.global?.volume_mm3?.[0], visit.global?.volume_mm3?.[1], visit.global?.volume_mdc_mm3)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </section>
  );
}

export default ProgressPage;
