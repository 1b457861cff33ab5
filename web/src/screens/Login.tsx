import { type FormEvent, useState } from 'react';

import { ApiError, api, type Me } from '../api/client';
import { type Language, translate } from '../i18n';

export function Login({ lang, onSignedIn }: { lang: Language; onSignedIn: (me: Me) => void }) {
  const t = (key: string) => translate(lang, key);
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      onSignedIn(await api.signIn(login.trim(), password, code.trim()));
    } catch (err) {
      if (err instanceof ApiError && err.status === 503) setError(t('login.busy'));
      else if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
        setError(t('login.failed'));
      } else setError(String(err instanceof Error ? err.message : err));
      setCode('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card login" onSubmit={submit} aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      <label>
        {t('login.login')}
        <input
          name="login"
          autoComplete="username"
          required
          value={login}
          onChange={(e) => setLogin(e.target.value)}
        />
      </label>
      <label>
        {t('login.password')}
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <label>
        {t('login.code')}
        <input
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6,8}"
          required
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
      </label>
      {error && (
        <p role="alert" className="error" data-testid="login-error">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('login.submit')}
      </button>
    </form>
  );
}
