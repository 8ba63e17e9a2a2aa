// Login: email and password against POST /login. The same form serves the first login and a new
// login after the session expired (then in a dialog over the page, whose open form stays intact).
import { useState } from 'preact/hooks';

import { call, type Schemas } from '../api/client';
import { ErrorNotice, Field } from '../components/ui';
import { t } from '../i18n';

export type User = Schemas['User'];

export function LoginForm({ onLoggedIn, email: knownEmail }: { onLoggedIn: (user: User) => void; email?: string }) {
  const [email, setEmail] = useState(knownEmail ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await call('POST /login', { body: { email, password } });
      setPassword('');
      onLoggedIn(answer.user);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="login-form" onSubmit={submit}>
      <ErrorNotice error={error} />
      <Field label={t('login.email')}>
        {(id) => (
          <input
            id={id}
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
        )}
      </Field>
      <Field label={t('login.password')}>
        {(id) => (
          <input
            id={id}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(event) => setPassword(event.currentTarget.value)}
          />
        )}
      </Field>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t('login.busy') : t('login.submit')}
      </button>
    </form>
  );
}

export function LoginPage({ onLoggedIn }: { onLoggedIn: (user: User) => void }) {
  return (
    <main id="main" class="login-page">
      <div class="login-card">
        <h1>{t('app.name')}</h1>
        <p class="subtitle">{t('login.intro')}</p>
        <LoginForm onLoggedIn={onLoggedIn} />
      </div>
    </main>
  );
}
