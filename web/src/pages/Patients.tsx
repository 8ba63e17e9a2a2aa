// The patient list: search by name or identifier, a page at a time (GET /patients?q=&limit=&offset=).
// The search text and the page live in the address, so Back returns to the same list.
import { useEffect, useState } from 'preact/hooks';

import { call } from '../api/client';
import { ErrorNotice, Loading, PageTitle, useLoad } from '../components/ui';
import { t } from '../i18n';
import { href, navigate, type Route } from '../router';

export const PAGE_SIZE = 20;

export function PatientsPage({ route }: { route: Extract<Route, { page: 'patients' }> }) {
  const [text, setText] = useState(route.query);
  useEffect(() => setText(route.query), [route.query]);

  // Search as one types, a moment after the last key.
  useEffect(() => {
    if (text === route.query) return;
    const timer = window.setTimeout(() => navigate(href.patients(text.trim(), 0)), 250);
    return () => window.clearTimeout(timer);
  }, [text, route.query]);

  const list = useLoad(
    (signal) => call('GET /patients', { query: { q: route.query, limit: PAGE_SIZE, offset: route.offset }, signal }),
    [route.query, route.offset],
  );
  const page = list.data;
  const first = page ? (page.total === 0 ? 0 : page.offset + 1) : 0;
  const last = page ? page.offset + page.items.length : 0;

  return (
    <section>
      <PageTitle>{t('patients.title')}</PageTitle>
      <div class="toolbar">
        <form
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            navigate(href.patients(text.trim(), 0));
          }}
        >
          <label for="patient-search">{t('patients.search')}</label>
          <input
            id="patient-search"
            type="search"
            value={text}
            placeholder={t('patients.searchPlaceholder')}
            onInput={(event) => setText(event.currentTarget.value)}
          />
        </form>
        <a class="button primary" href={href.newPatient()}>
          {t('patients.new')}
        </a>
      </div>
      <ErrorNotice error={list.error} />
      {list.loading && !page && <Loading />}
      {page && (
        <>
          <p class="count" role="status">
            {page.total === 0
              ? route.query
                ? t('patients.noneFound', { q: route.query })
                : t('patients.none')
              : t('patients.range', { first, last, total: page.total })}
          </p>
          {page.items.length > 0 && (
            <div class="table-wrap">
              <table class="patients">
                <caption class="visually-hidden">{t('patients.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('patient.name')}</th>
                    <th scope="col">{t('patient.identifier')}</th>
                    <th scope="col" class="num">
                      {t('patient.birthYear')}
                    </th>
                    <th scope="col" class="num">
                      {t('patient.fitzpatrick')}
                    </th>
                    <th scope="col">{t('patients.profile')}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.map((patient) => (
                    <tr key={patient.id}>
                      <td>
                        <a href={href.patient(patient.id)}>{patient.name}</a>
                      </td>
                      <td>{patient.identifier || '–'}</td>
                      <td class="num">{patient.birth_year ?? '–'}</td>
                      <td class="num">{patient.fitzpatrick ?? '–'}</td>
                      <td>
                        {patient.missing_profile_fields.length === 0 ? (
                          t('patients.profileComplete')
                        ) : (
                          <span class="warn-text">
                            {t('patients.profileMissing', { n: patient.missing_profile_fields.length })}
                          </span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav class="pager" aria-label={t('patients.pages')}>
            <a
              class={'button' + (page.offset === 0 ? ' disabled' : '')}
              aria-disabled={page.offset === 0 ? 'true' : undefined}
              href={page.offset === 0 ? undefined : href.patients(route.query, Math.max(0, page.offset - PAGE_SIZE))}
            >
              {t('patients.previous')}
            </a>
            <a
              class={'button' + (last >= page.total ? ' disabled' : '')}
              aria-disabled={last >= page.total ? 'true' : undefined}
              href={last >= page.total ? undefined : href.patients(route.query, page.offset + PAGE_SIZE)}
            >
              {t('patients.next')}
            </a>
          </nav>
        </>
      )}
    </section>
  );
}
