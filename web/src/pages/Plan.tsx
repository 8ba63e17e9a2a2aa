// The plan view: stages in order, each with its modalities, the scars they target (highlighted on
// the scan), sessions, intervals, downtime, expected improvement and the evidence behind them
// (kind, and whether the source was confirmed); what was excluded and why; warnings. A plan is
// labelled a proposal until a clinician accepts it, as it is or edited; then its calendar of
// sessions is the one the clinic follows.
import { useEffect, useState } from 'preact/hooks';

import { call, type Schemas } from '../api/client';
import type { Evidence, PlanDocument, PlanItem } from '../api/documents';
import { ErrorNotice, Field, Loading, PageTitle, useLoad } from '../components/ui';
import { formatDate, formatDateTime, t } from '../i18n';
import { label } from '../labels';
import { href, type Route } from '../router';
import type { User } from './Login';

type Plan = Schemas['Plan'];

function range(pair: [number, number] | null | undefined, unit: string): string {
  if (!pair) return t('plan.unknown');
  const [low, high] = pair;
  return low === high ? `${low} ${unit}` : `${low}–${high} ${unit}`;
}

function EvidenceList({ evidence }: { evidence: Evidence[] }) {
  if (!evidence.length) return null;
  return (
    <details>
      <summary>{t('plan.evidence', { n: evidence.length })}</summary>
      <ul class="evidence">
        {evidence.map((source, index) => (
          <li key={index}>
            <span class="kind">{label('evidenceKind', source.kind)}</span>
            {!source.confirmed && <span class="unconfirmed"> ({t('plan.unconfirmed')})</span>}: {source.citation}
          </li>
        ))}
      </ul>
    </details>
  );
}

type ScheduleEntry = NonNullable<PlanDocument['schedule']>[number];

function ItemView({
  item,
  kept,
  editing,
  onKeep,
  targetHref,
}: {
  item: PlanItem;
  kept: boolean;
  editing: boolean;
  onKeep: (keep: boolean) => void;
  targetHref: (ids: number[]) => string | null;
}) {
  const link = targetHref(item.target_scar_ids);
  const name = label('modality', item.modality);
  return (
    <div class={'plan-item' + (kept ? '' : ' dropped')}>
      <h4>{name}</h4>
      <ul>
        <li>
          {t('plan.targets')}:{' '}
          {item.target_scar_ids.length === 0 ? (
            t('plan.wholeRegion')
          ) : link ? (
            <a href={link}>{t('plan.scarIds', { ids: item.target_scar_ids.join(', ') })}</a>
          ) : (
            t('plan.scarIds', { ids: item.target_scar_ids.join(', ') })
          )}
        </li>
        <li>
          {t('plan.sessions')}: {range(item.sessions, t('plan.sessionsUnit'))}, {t('plan.interval')}{' '}
          {range(item.interval_weeks, t('plan.weeks'))}
        </li>
        <li>
          {t('plan.downtime')}: {range(item.downtime_days ?? null, t('plan.days'))}
        </li>
        <li>
          {t('plan.expected')}: {item.expected_improvement_pct ? range(item.expected_improvement_pct, '%') : t('plan.unknown')}
        </li>
      </ul>
      {item.notes && <p class="notes">{item.notes}</p>}
      <EvidenceList evidence={item.evidence ?? []} />
      {editing && (
        <label class="check">
          <input type="checkbox" checked={kept} onChange={(e) => onKeep(e.currentTarget.checked)} />
          {t('plan.keepItem', { modality: name })}
        </label>
      )}
    </div>
  );
}

const sameTargets = (a: number[], b: number[]) => a.length === b.length && a.every((value, index) => value === b[index]);

// The clinician's version of the proposal: dropped items left out (and their sessions), and the
// calendar as edited. Everything else (evidence, exclusions, the version stamp) stays as proposed.
function editedPlan(proposal: PlanDocument, dropped: Set<string>, schedule: ScheduleEntry[]): PlanDocument {
  const stages = proposal.stages
    .map((stage) => ({ ...stage, items: stage.items.filter((_, index) => !dropped.has(itemKey(stage.id, index))) }))
    .filter((stage) => stage.items.length > 0);
  const kept = stages.flatMap((stage) => stage.items);
  const isKept = (entry: ScheduleEntry) =>
    !entry.modality || kept.some((item) => item.modality === entry.modality && sameTargets(item.target_scar_ids, entry.target_scar_ids ?? []));
  const ordered = [...schedule].filter(isKept).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const counters = new Map<string, number>();
  const numbered = ordered.map((entry) => {
    const key = entry.modality + '|' + (entry.target_scar_ids ?? []).join(',');
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return { ...entry, session: n };
  });
  return { ...proposal, stages, schedule: numbered };
}

function addWeeks(date: string, weeks: number): string {
  const day = new Date(date + 'T12:00:00Z');
  day.setUTCDate(day.getUTCDate() + Math.round(weeks * 7));
  return day.toISOString().slice(0, 10);
}

const itemKey = (stage: string, index: number) => `${stage}:${index}`;

function CalendarHead({ editing }: { editing: boolean }) {
  return (
    <thead>
      <tr>
        <th scope="col">{t('plan.col.date')}</th>
        <th scope="col">{t('plan.col.modality')}</th>
        <th scope="col" class="num">
          {t('plan.col.session')}
        </th>
        <th scope="col">{t('plan.col.targets')}</th>
        {editing && <th scope="col">{t('plan.col.change')}</th>}
      </tr>
    </thead>
  );
}

// The calendar while editing: each session's date can be changed or the session removed, and a
// session added to a kept treatment (its last session plus the proposed interval).
function CalendarEditor({
  proposal,
  dropped,
  schedule,
  setSchedule,
}: {
  proposal: PlanDocument;
  dropped: Set<string>;
  schedule: ScheduleEntry[];
  setSchedule: (update: (current: ScheduleEntry[]) => ScheduleEntry[]) => void;
}) {
  const preview = editedPlan(proposal, dropped, schedule).schedule ?? [];
  const indexOf = (entry: ScheduleEntry) => schedule.indexOf(schedule.find((e) => e.date === entry.date && e.modality === entry.modality && sameTargets(e.target_scar_ids ?? [], entry.target_scar_ids ?? [])) ?? entry);
  const kept = proposal.stages.flatMap((stage) => stage.items.filter((_, index) => !dropped.has(itemKey(stage.id, index))));
  return (
    <>
      <div class="table-wrap">
        <table>
          <CalendarHead editing />
          <tbody>
            {preview.map((entry, row) => {
              const index = indexOf(entry);
              const name = label('modality', entry.modality);
              return (
                <tr key={row}>
                  <td>
                    <input
                      type="date"
                      aria-label={t('plan.sessionDate', { modality: name, n: entry.session })}
                      value={entry.date}
                      onInput={(e) => {
                        const date = e.currentTarget.value;
                        if (date) setSchedule((current) => current.map((item, i) => (i === index ? { ...item, date } : item)));
                      }}
                    />
                  </td>
                  <td>{name}</td>
                  <td class="num">{entry.session}</td>
                  <td>{(entry.target_scar_ids ?? []).join(', ') || t('plan.wholeRegion')}</td>
                  <td>
                    <button
                      type="button"
                      class="danger"
                      onClick={() => setSchedule((current) => current.filter((_, i) => i !== index))}
                    >
                      {t('plan.removeSession', { modality: name, n: entry.session })}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div class="actions">
        {kept.map((item, index) => {
          const name = label('modality', item.modality);
          return (
            <button
              type="button"
              key={index}
              onClick={() =>
                setSchedule((current) => {
                  const own = current
                    .filter((e) => e.modality === item.modality && sameTargets(e.target_scar_ids ?? [], item.target_scar_ids))
                    .sort((a, b) => (a.date < b.date ? -1 : 1));
                  const last = own[own.length - 1];
                  const date = last ? addWeeks(last.date, item.interval_weeks[0]) : (proposal.date ?? current[0]?.date ?? '');
                  return [...current, { date, modality: item.modality, session: own.length + 1, target_scar_ids: item.target_scar_ids }];
                })
              }
            >
              {t('plan.addSession', { modality: name })}
            </button>
          );
        })}
      </div>
    </>
  );
}

function PlanPage({ route, user }: { route: Route; user: User }) {
  const id = route.page === 'plan' ? route.id : '';
  const plan = useLoad((signal) => call('GET /plans/{id}', { path: { id }, signal }), [id]);
  const visit = useLoad(
    (signal) =>
      plan.data ? call('GET /visits/{id}', { path: { id: plan.data.visit_id }, signal }) : Promise.resolve(undefined),
    [plan.data?.visit_id],
  );
  const [editing, setEditing] = useState(false);
  const [dropped, setDropped] = useState<Set<string>>(new Set());
  const [schedule, setSchedule] = useState<ScheduleEntry[]>([]);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  const record: Plan | undefined = plan.data;
  const proposal = record?.proposal as unknown as PlanDocument | undefined;
  const accepted = (record?.accepted ?? null) as unknown as PlanDocument | null;
  const shown = accepted ?? proposal;

  useEffect(() => {
    if (!proposal) return;
    setDropped(new Set());
    setSchedule([...(proposal.schedule ?? [])]);
  }, [proposal]);

  if (plan.loading && !record) return <Loading />;
  if (plan.error) return <ErrorNotice error={plan.error} />;
  if (!record || !shown) return null;

  const scans = visit.data?.scans ?? [];
  const firstScan = scans[0];
  const targetHref = (ids: number[]) =>
    shown.basis === 'clinician_only'
      ? href.manual(record.visit_id)
      : firstScan
        ? href.scan(firstScan.id, ids)
        : null;
  const isProposal = record.status === 'proposed';
  const canAccept = isProposal && user.role === 'clinician';

  const accept = async (withEdits: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, unknown> = {};
      if (note.trim()) body.note = note.trim();
      if (withEdits && proposal) body.edited = editedPlan(proposal, dropped, schedule);
      const answer = await call('POST /plans/{id}/accept', { path: { id }, body: body as never });
      plan.set(answer as Plan);
      setEditing(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <PageTitle
        sub={visit.data ? t('plan.subtitle', { date: formatDate(visit.data.visit.date), region: label('region', visit.data.visit.region) }) : undefined}
      >
        {t('plan.title')}
      </PageTitle>
      <p>
        <a href={href.patient(record.patient_id)}>{t('scan.backToPatient')}</a>
      </p>
      {isProposal ? (
        <div class="notice notice-warn proposal-banner" role="status">
          {t('plan.proposalBanner')} {proposal?.notice}
        </div>
      ) : record.status === 'accepted' ? (
        <div class="notice notice-info" role="status">
          {t('plan.acceptedBanner', {
            who: record.accepted_by === user.id ? t('scan.you') : (record.accepted_by ?? ''),
            at: formatDateTime(record.accepted_at),
          })}
          {record.acceptance_note && ` ${t('plan.noteWas', { note: record.acceptance_note })}`}
        </div>
      ) : (
        <div class="notice notice-info">{t('plan.supersededBanner')}</div>
      )}
      {shown.basis === 'clinician_only' && <p class="estimate-label">{t('manual.estimateLabel')}</p>}
      {shown.deferred && <div class="notice notice-warn">{t('plan.deferred')}</div>}
      {(shown.warnings ?? []).length > 0 && (
        <section class="panel" aria-labelledby="warnings-title">
          <h2 id="warnings-title">{t('plan.warnings')}</h2>
          <ul>
            {(shown.warnings ?? []).map((warning) => (
              <li key={warning.id}>{warning.text}</li>
            ))}
          </ul>
        </section>
      )}
      {(shown.referrals ?? []).length > 0 && (
        <section class="panel" aria-labelledby="referrals-title">
          <h2 id="referrals-title">{t('plan.referrals')}</h2>
          <ul>
            {(shown.referrals ?? []).map((referral, index) => (
              <li key={index}>{referral.text ?? referral.reason ?? referral.id}</li>
            ))}
          </ul>
        </section>
      )}
      <h2>{t('plan.stages')}</h2>
      {shown.expected_improvement_pct && (
        <p>{t('plan.overallExpected', { range: range(shown.expected_improvement_pct, '%') })}</p>
      )}
      {[...(editing && proposal ? proposal.stages : shown.stages)]
        .sort((a, b) => a.order - b.order)
        .map((stage) => (
          <section class="stage" key={stage.id} aria-labelledby={`stage-${stage.id}`}>
            <h3 id={`stage-${stage.id}`}>
              {t('plan.stage', { n: stage.order })}: {stage.goal}
            </h3>
            {stage.items.map((item, index) => (
              <ItemView
                key={index}
                item={item}
                editing={editing}
                kept={!editing || !dropped.has(itemKey(stage.id, index))}
                onKeep={(keep) =>
                  setDropped((current) => {
                    const next = new Set(current);
                    if (keep) next.delete(itemKey(stage.id, index));
                    else next.add(itemKey(stage.id, index));
                    return next;
                  })
                }
                targetHref={targetHref}
              />
            ))}
          </section>
        ))}
      {(shown.excluded ?? []).length > 0 && (
        <section class="panel" aria-labelledby="excluded-title">
          <h2 id="excluded-title">{t('plan.excluded')}</h2>
          <ul>
            {(shown.excluded ?? []).map((entry) => (
              <li key={entry.modality + entry.rule}>
                <strong>{label('modality', entry.modality)}</strong>: {entry.reason}
              </li>
            ))}
          </ul>
        </section>
      )}
      {(shown.rules_fired ?? []).length > 0 && (
        <details class="panel">
          <summary>{t('plan.rules', { n: shown.rules_fired?.length ?? 0 })}</summary>
          <ul>
            {(shown.rules_fired ?? []).map((rule) => (
              <li key={rule.rule}>
                <strong>{rule.title}</strong>: {rule.why.join('; ')}
                <EvidenceList evidence={rule.evidence ?? []} />
              </li>
            ))}
          </ul>
        </details>
      )}
      <section aria-labelledby="calendar-title">
        <h2 id="calendar-title">{isProposal ? t('plan.calendarProposed') : t('plan.calendar')}</h2>
        {editing && proposal ? (
          <CalendarEditor proposal={proposal} dropped={dropped} schedule={schedule} setSchedule={setSchedule} />
        ) : (shown.schedule ?? []).length === 0 ? (
          <p>{t('plan.noSchedule')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <CalendarHead editing={false} />
              <tbody>
                {(shown.schedule ?? []).map((entry, index) => (
                  <tr key={index}>
                    <td>{formatDate(entry.date)}</td>
                    <td>{label('modality', entry.modality)}</td>
                    <td class="num">{entry.session}</td>
                    <td>{(entry.target_scar_ids ?? []).join(', ') || t('plan.wholeRegion')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ErrorNotice error={error} />
      {canAccept && (
        <section class="panel" aria-labelledby="accept-title">
          <h2 id="accept-title">{t('plan.decide')}</h2>
          <Field label={t('plan.note')}>
            {(fieldId) => <textarea id={fieldId} rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}
          </Field>
          <div class="actions">
            {!editing ? (
              <>
                <button type="button" class="primary" disabled={busy} onClick={() => void accept(false)}>
                  {t('plan.accept')}
                </button>
                <button type="button" onClick={() => setEditing(true)}>
                  {t('plan.edit')}
                </button>
              </>
            ) : (
              <>
                <button type="button" class="primary" disabled={busy} onClick={() => void accept(true)}>
                  {t('plan.acceptEdited')}
                </button>
                <button type="button" onClick={() => setEditing(false)}>
                  {t('plan.stopEditing')}
                </button>
              </>
            )}
          </div>
        </section>
      )}
      {isProposal && user.role !== 'clinician' && <p>{t('plan.onlyClinicians')}</p>}
      {record.status === 'accepted' && (
        <p>
          <a class="button primary" href={href.newSession(record.patient_id, record.id)}>
            {t('session.record')}
          </a>
        </p>
      )}
    </section>
  );
}

export default PlanPage;
