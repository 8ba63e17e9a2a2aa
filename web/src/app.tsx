// The application: who is logged in, the page of the current route, and the login dialog that
// appears when the session expires (over the page, so an open form keeps what was typed; the call
// that found the session expired is retried after the new login).
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import { ApiError, call, onSessionExpired } from './api/client';
import { Dialog, Loading, ErrorNotice } from './components/ui';
import { t } from './i18n';
import { LoginForm, LoginPage, type User } from './pages/Login';
import { PatientsPage } from './pages/Patients';
import { href, navigate, useRoute, type Route } from './router';

// Pages other than the first are loaded when first opened (the first page's JavaScript stays small;
// three.js and uPlot come only with the pages that draw with them).
type PageModule = { default: ComponentType<{ route: Route; user: User }> };
const pageLoaders: Partial<Record<Route['page'], () => Promise<PageModule>>> = {
  'new-patient': () => import('./pages/PatientForm'),
  'edit-patient': () => import('./pages/PatientForm'),
  patient: () => import('./pages/Patient'),
  scan: () => import('./pages/Scan'),
  plan: () => import('./pages/Plan'),
  'new-session': () => import('./pages/SessionForm'),
  progress: () => import('./pages/Progress'),
  manual: () => import('./pages/Manual'),
};

function LazyPage({ route, user }: { route: Route; user: User }) {
  const loader = pageLoaders[route.page];
  const [loaded, setLoaded] = useState<{ page: Route['page']; component: PageModule['default'] } | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (!loader) return;
    let live = true;
    loader().then(
      (module) => live && setLoaded({ page: route.page, component: module.default }),
      (failure) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [loader, route.page]);
  if (error) return <ErrorNotice error={error} />;
  if (!loaded || loaded.page !== route.page) return <Loading />;
  const Page = loaded.component;
  return <Page route={route} user={user} />;
}

function NotFound({ path }: { path: string }) {
  return (
    <section>
      <h1>{t('app.notFound')}</h1>
      <p>{t('app.notFoundDetail', { path })}</p>
      <a href={href.patients()}>{t('nav.patients')}</a>
    </section>
  );
}

export function App() {
  const route = useRoute();
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [checkError, setCheckError] = useState<unknown>(undefined);
  const [relogin, setRelogin] = useState<{ resolve: () => void } | null>(null);

  // Who is logged in (the session cookie survives a reload).
  useEffect(() => {
    call('GET /me').then(
      (answer) => setUser(answer.user),
      (failure) => {
        if (failure instanceof ApiError && failure.status === 401) setUser(null);
        else setCheckError(failure);
      },
    );
  }, []);

  // While logged in, a 401 means the session expired: ask again, then let the waiting calls retry.
  useEffect(() => {
    if (!user) {
      onSessionExpired(null);
      return;
    }
    onSessionExpired(() => new Promise<void>((resolve) => setRelogin({ resolve })));
    return () => onSessionExpired(null);
  }, [user]);

  const logout = async () => {
    try {
      await call('POST /logout');
    } catch {
      // Already logged out (expired): the result is the same.
    }
    setUser(null);
    navigate(href.patients());
  };

  if (checkError) return <ErrorNotice error={checkError} />;
  if (user === undefined) return <Loading />;
  if (user === null) return <LoginPage onLoggedIn={setUser} />;

  let page;
  if (route.page === 'patients') page = <PatientsPage route={route} />;
  else if (route.page === 'not-found') page = <NotFound path={route.path} />;
  else page = <LazyPage route={route} user={user} />;

  return (
    <>
      <a class="skip-link" href="#main" onClick={(event) => {
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        {t('nav.skip')}
      </a>
      <header class="app-header">
        <a class="brand" href={href.patients()}>
          {t('app.name')}
        </a>
        <nav aria-label={t('nav.label')}>
          <a href={href.patients()} aria-current={route.page === 'patients' ? 'page' : undefined}>
            {t('nav.patients')}
          </a>
          <a href={href.newPatient()} aria-current={route.page === 'new-patient' ? 'page' : undefined}>
            {t('nav.newPatient')}
          </a>
        </nav>
        <div class="who">
          <span>
            {user.display_name || user.email} <span class="role">({t(`role.${user.role}`)})</span>
          </span>
          <button type="button" onClick={logout}>
            {t('nav.logout')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <Dialog title={t('login.expiredTitle')} open={relogin !== null} onClose={() => undefined} closable={false}>
        <p>{t('login.expired')}</p>
        {relogin && (
          <LoginForm
            email={user.email}
            onLoggedIn={(again) => {
              setUser(again);
              relogin.resolve();
              setRelogin(null);
            }}
          />
        )}
      </Dialog>
    </>
  );
}
