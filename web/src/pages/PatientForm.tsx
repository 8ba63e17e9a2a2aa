// A new patient (POST /patients, then the consents given) or a patient's details and planning
// profile completed later (PATCH /patients/{id}). Only the name is required: the planner says what
// it still needs (missing_profile_fields) when a plan is asked for.
import { useEffect, useState } from 'preact/hooks';

import { call, type Schemas } from '../api/client';
import { ErrorNotice, Field, Loading, PageTitle, TriStateSelect, today, useLoad, type TriState } from '../components/ui';
import { t, type MessageKey } from '../i18n';
import { href, navigate, type Route } from '../router';
import type { User } from './Login';

type Patient = Schemas['Patient'];
type Profile = Schemas['ProfileParts'];
type ConsentKind = 'treatment' | 'photography' | 'research';

interface Draft {
  name: string;
  identifier: string;
  birth_year: string;
  sex: '' | 'female' | 'male' | 'other';
  fitzpatrick: string;
  profile: Profile;
}

const BOOLEAN_FIELDS = [
  'keloid_history',
  'hsv_history',
  'active_cold_sore',
  'active_skin_infection',
  'pregnant_or_breastfeeding',
  'anticoagulants',
  'bdd_screen_positive',
] as const;

function draftOf(patient?: Patient): Draft {
  return {
    name: patient?.name ?? '',
    identifier: patient?.identifier ?? '',
    birth_year: patient?.birth_year != null ? String(patient.birth_year) : '',
    sex: patient?.sex ?? '',
    fitzpatrick: patient?.fitzpatrick != null ? String(patient.fitzpatrick) : '',
    profile: { ...(patient?.profile ?? {}) },
  };
}

// The request body: numbers parsed, empty fields as null (PATCH: null removes), profile merged.
function bodyOf(draft: Draft, editing: boolean) {
  const number = (text: string) => (text.trim() === '' ? null : Number(text));
  const profile: Profile = {};
  for (const [key, value] of Object.entries(draft.profile)) {
    (profile as Record<string, unknown>)[key] = value === undefined ? null : value;
  }
  const body = {
    name: draft.name.trim(),
    identifier: draft.identifier.trim(),
    birth_year: number(draft.birth_year),
    sex: draft.sex === '' ? null : draft.sex,
    fitzpatrick: number(draft.fitzpatrick),
    profile,
  };
  if (!editing) {
    // A new patient: leave out what was not given.
    const created: Record<string, unknown> = { name: body.name };
    if (body.identifier) created.identifier = body.identifier;
    if (body.birth_year !== null) created.birth_year = body.birth_year;
    if (body.sex !== null) created.sex = body.sex;
    if (body.fitzpatrick !== null) created.fitzpatrick = body.fitzpatrick;
    const given = Object.fromEntries(Object.entries(profile).filter(([, value]) => value !== null));
    if (Object.keys(given).length) created.profile = given;
    return created;
  }
  return body;
}

export function ProfileFields({ draft, setDraft, fieldError }: {
  draft: Draft;
  setDraft: (update: (draft: Draft) => Draft) => void;
  fieldError: (name: string) => string | undefined;
}) {
  const profile = draft.profile;
  const setProfile = (update: Partial<Profile>) =>
    setDraft((current) => ({ ...current, profile: { ...current.profile, ...update } }));
  const isotretinoin = profile.isotretinoin ?? null;
  return (
    <fieldset>
      <legend>{t('profile.title')}</legend>
      <p class="hint">{t('profile.intro')}</p>
      <div class="grid">
        <Field label={t('patient.fitzpatrick')} error={fieldError('fitzpatrick')}>
          {(id, describedBy) => (
            <select
              id={id}
              aria-describedby={describedBy}
              value={draft.fitzpatrick}
              onChange={(event) => {
                const value = event.currentTarget.value;
                setDraft((current) => ({ ...current, fitzpatrick: value }));
              }}
            >
              <option value="">{t('common.unknown')}</option>
              {[1, 2, 3, 4, 5, 6].map((type) => (
                <option value={String(type)} key={type}>
                  {t('profile.fitzpatrickType', { type: ['I', 'II', 'III', 'IV', 'V', 'VI'][type - 1] ?? '' })}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('profile.activeAcne')} error={fieldError('profile.active_acne')}>
          {(id, describedBy) => (
            <select
              id={id}
              aria-describedby={describedBy}
              value={profile.active_acne ?? ''}
              onChange={(event) => {
                const value = event.currentTarget.value as NonNullable<Profile['active_acne']> | '';
                setProfile({ active_acne: value === '' ? null : value });
              }}
            >
              <option value="">{t('common.unknown')}</option>
              {(['none', 'mild', 'moderate', 'severe'] as const).map((level) => (
                <option value={level} key={level}>
                  {t(`profile.acne.${level}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('profile.isotretinoin')} error={fieldError('profile.isotretinoin')}>
          {(id, describedBy) => (
            <select
              id={id}
              aria-describedby={describedBy}
              value={isotretinoin?.status ?? ''}
              onChange={(event) => {
                const status = event.currentTarget.value as 'never' | 'current' | 'stopped' | '';
                setProfile({
                  isotretinoin:
                    status === ''
                      ? null
                      : { status, stopped_on: status === 'stopped' ? (isotretinoin?.stopped_on ?? null) : null },
                });
              }}
            >
              <option value="">{t('common.unknown')}</option>
              <option value="never">{t('profile.isotretinoinNever')}</option>
              <option value="current">{t('profile.isotretinoinCurrent')}</option>
              <option value="stopped">{t('profile.isotretinoinStopped')}</option>
            </select>
          )}
        </Field>
        {isotretinoin?.status === 'stopped' && (
          <Field label={t('profile.isotretinoinStoppedOn')} error={fieldError('profile.isotretinoin.stopped_on')}>
            {(id, describedBy) => (
              <input
                id={id}
                type="date"
                aria-describedby={describedBy}
                value={isotretinoin.stopped_on ?? ''}
                max={today()}
                onInput={(event) =>
                  setProfile({
                    isotretinoin: { status: 'stopped', stopped_on: event.currentTarget.value || null },
                  })
                }
              />
            )}
          </Field>
        )}
        {BOOLEAN_FIELDS.map((name) => (
          <TriStateSelect
            key={name}
            label={t(`profile.${name}` as MessageKey)}
            value={profile[name] as TriState | undefined}
            onChange={(value) => setProfile({ [name]: value } as Partial<Profile>)}
          />
        ))}
        <Field label={t('profile.distress')} hint={t('profile.distressHint')} error={fieldError('profile.distress_0_10')}>
          {(id, describedBy) => (
            <input
              id={id}
              type="number"
              min={0}
              max={10}
              step={1}
              aria-describedby={describedBy}
              value={profile.distress_0_10 ?? ''}
              onInput={(event) => {
                const text = event.currentTarget.value;
                setProfile({ distress_0_10: text === '' ? null : Number(text) });
              }}
            />
          )}
        </Field>
        <Field
          label={t('profile.maxDowntime')}
          hint={t('profile.maxDowntimeHint')}
          error={fieldError('profile.max_downtime_days')}
        >
          {(id, describedBy) => (
            <input
              id={id}
              type="number"
              min={0}
              max={365}
              aria-describedby={describedBy}
              value={profile.max_downtime_days ?? ''}
              onInput={(event) => {
                const text = event.currentTarget.value;
                setProfile({ max_downtime_days: text === '' ? null : Number(text) });
              }}
            />
          )}
        </Field>
      </div>
    </fieldset>
  );
}

function PatientFormPage({ route }: { route: Route; user: User }) {
  const editingId = route.page === 'edit-patient' ? route.id : '';
  const existing = useLoad(
    (signal) => (editingId ? call('GET /patients/{id}', { path: { id: editingId }, signal }) : Promise.resolve(undefined)),
    [editingId],
  );
  const [draft, setDraft] = useState<Draft>(() => draftOf());
  const [consents, setConsents] = useState<Record<ConsentKind, boolean>>({
    treatment: false,
    photography: false,
    research: false,
  });
  const [error, setError] = useState<unknown>(undefined);
  const [errorField, setErrorField] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (existing.data) setDraft(draftOf(existing.data));
  }, [existing.data]);

  const fieldError = (name: string) => (errorField === name && error instanceof Error ? error.message : undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setErrorField(undefined);
    try {
      let patient: Patient;
      if (editingId) {
        patient = await call('PATCH /patients/{id}', {
          path: { id: editingId },
          body: bodyOf(draft, true) as never,
        });
      } else {
        patient = await call('POST /patients', { body: bodyOf(draft, false) as never });
        for (const kind of Object.keys(consents) as ConsentKind[]) {
          if (!consents[kind]) continue;
          await call('POST /patients/{id}/consents', {
            path: { id: patient.id },
            body: { kind, state: 'given', date: today() },
          });
        }
      }
      navigate(href.patient(patient.id));
    } catch (failure) {
      setError(failure);
      const field = (failure as { field?: string }).field;
      setErrorField(field);
    } finally {
      setBusy(false);
    }
  };

  if (editingId && existing.loading) return <Loading />;
  if (editingId && existing.error) return <ErrorNotice error={existing.error} />;

  return (
    <section>
      <PageTitle>{editingId ? t('patientForm.editTitle', { name: existing.data?.name ?? '' }) : t('patientForm.newTitle')}</PageTitle>
      <form class="patient-form" onSubmit={submit} noValidate={false}>
        <ErrorNotice error={error} />
        <fieldset>
          <legend>{t('patientForm.identity')}</legend>
          <div class="grid">
            <Field label={t('patient.name')} error={fieldError('name')}>
              {(id, describedBy) => (
                <input
                  id={id}
                  required
                  maxLength={200}
                  autoComplete="off"
                  aria-describedby={describedBy}
                  value={draft.name}
                  onInput={(event) => {
                    const value = event.currentTarget.value;
                    setDraft((current) => ({ ...current, name: value }));
                  }}
                />
              )}
            </Field>
            <Field label={t('patient.identifier')} hint={t('patientForm.identifierHint')} error={fieldError('identifier')}>
              {(id, describedBy) => (
                <input
                  id={id}
                  maxLength={100}
                  autoComplete="off"
                  aria-describedby={describedBy}
                  value={draft.identifier}
                  onInput={(event) => {
                    const value = event.currentTarget.value;
                    setDraft((current) => ({ ...current, identifier: value }));
                  }}
                />
              )}
            </Field>
            <Field label={t('patient.birthYear')} error={fieldError('birth_year')}>
              {(id, describedBy) => (
                <input
                  id={id}
                  type="number"
                  min={1900}
                  max={new Date().getFullYear()}
                  aria-describedby={describedBy}
                  value={draft.birth_year}
                  onInput={(event) => {
                    const value = event.currentTarget.value;
                    setDraft((current) => ({ ...current, birth_year: value }));
                  }}
                />
              )}
            </Field>
            <Field label={t('patient.sex')} error={fieldError('sex')}>
              {(id, describedBy) => (
                <select
                  id={id}
                  aria-describedby={describedBy}
                  value={draft.sex}
                  onChange={(event) => {
                    const value = event.currentTarget.value as Draft['sex'];
                    setDraft((current) => ({ ...current, sex: value }));
                  }}
                >
                  <option value="">{t('common.unknown')}</option>
                  <option value="female">{t('patient.sexFemale')}</option>
                  <option value="male">{t('patient.sexMale')}</option>
                  <option value="other">{t('patient.sexOther')}</option>
                </select>
              )}
            </Field>
          </div>
        </fieldset>
        <ProfileFields draft={draft} setDraft={setDraft} fieldError={fieldError} />
        {!editingId && (
          <fieldset>
            <legend>{t('consent.title')}</legend>
            <p class="hint">{t('consent.intro', { date: today() })}</p>
            {(['treatment', 'photography', 'research'] as const).map((kind) => (
              <label class="check" key={kind}>
                <input
                  type="checkbox"
                  checked={consents[kind]}
                  onChange={(event) => {
                    const checked = event.currentTarget.checked;
                    setConsents((current) => ({ ...current, [kind]: checked }));
                  }}
                />
                {t(`consent.${kind}`)}
              </label>
            ))}
          </fieldset>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            {editingId ? t('patientForm.save') : t('patientForm.create')}
          </button>
          <a class="button" href={editingId ? href.patient(editingId) : href.patients()}>
            {t('common.cancel')}
          </a>
        </div>
      </form>
    </section>
  );
}

export default PatientFormPage;
