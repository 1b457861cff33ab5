// The shell: sign-in, the session (its end shown and enforced), the language switch, and the
// screens chosen by the URL's hash (#/cases, #/cases/ID, #/duty, #/admin, #/audit, #/assistance).
import { useCallback, useEffect, useMemo, useState } from 'react';

import { ApiError, api, lastActivity, setCsrfToken, type Me } from './api/client';
import { readsAssistance } from './assistance';
import { Ui } from './context';
import {
  type Language,
  type MessageValues,
  direction,
  formatDateTime,
  isLanguage,
  languageNames,
  languages,
  translate,
} from './i18n';
import { Admin } from './screens/Admin';
import { Assistance } from './screens/Assistance';
import { Audit } from './screens/Audit';
import { CaseDetail } from './screens/CaseDetail';
import { Cases } from './screens/Cases';
import { Compose } from './screens/Compose';
import { Duty } from './screens/Duty';
import { Login } from './screens/Login';
import { Orders } from './screens/Orders';
import { Statistics } from './screens/Statistics';

function initialLanguage(): Language {
  const saved = localStorage.getItem('concord.lang');
  if (isLanguage(saved)) return saved;
  const browser = navigator.language.slice(0, 2);
  return isLanguage(browser) ? browser : 'en';
}

function useHash(): string {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const changed = () => setHash(window.location.hash);
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

export function App() {
  const [lang, setLang] = useState<Language>(initialLanguage);
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const hash = useHash();
  const t = useCallback(
    (key: string, values?: MessageValues) => translate(lang, key, values),
    [lang],
  );

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = direction(lang);
    document.title = translate(lang, 'app.title');
    localStorage.setItem('concord.lang', lang);
  }, [lang]);

  const signedIn = useCallback((who: Me) => {
    setCsrfToken(who.csrf_token);
    setNotice('');
    setMe(who);
  }, []);

  const sessionEnded = useCallback(() => {
    setCsrfToken('');
    setMe(null);
    setNotice('session.ended');
  }, []);

  useEffect(() => {
    api
      .me()
      .then((who) => (who.auth === 'session' ? signedIn(who) : setMe(null)))
      .catch(() => setMe(null));
  }, [signedIn]);

  // The session's end is enforced here too: at its absolute end, or once the page has made no
  // call for the idle time, the screens go (the node refuses the cookie from then on anyway).
  useEffect(() => {
    if (!me) return;
    const idleMs = me.idle_expires ? Date.parse(me.idle_expires) - lastActivity() : Infinity;
    const check = () => {
      const absolute = me.expires ? Date.parse(me.expires) : Infinity;
      if (Math.min(absolute, lastActivity() + idleMs) <= Date.now()) sessionEnded();
    };
    const timer = window.setInterval(check, 5000);
    return () => window.clearInterval(timer);
  }, [me, sessionEnded]);

  const signOut = async () => {
    try {
      await api.signOut();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
    }
    setCsrfToken('');
    setMe(null);
  };

  const context = useMemo(
    () => (me ? { lang, me, t, sessionEnded } : null),
    [lang, me, t, sessionEnded],
  );

  const languageSwitch = (
    <label className="language">
      {t('nav.language')}{' '}
      <select
        value={lang}
        onChange={(e) => isLanguage(e.target.value) && setLang(e.target.value)}
        data-testid="language"
      >
        {languages.map((l) => (
          <option key={l} value={l} lang={l}>
            {languageNames[l]}
          </option>
        ))}
      </select>
    </label>
  );

  if (me === undefined) return null;
  if (!context) {
    return (
      <>
        <header className="bar">
          <span className="brand">{t('app.title')}</span>
          {languageSwitch}
        </header>
        <main>
          {notice && (
            <p role="status" className="notice">
              {t(notice)}
            </p>
          )}
          <Login lang={lang} onSignedIn={signedIn} />
        </main>
      </>
    );
  }

  const readsCases = ['officer', 'approver', 'duty_officer', 'responder'].some((r) =>
    context.me.roles.includes(r),
  );
  const caseMatch = /^#\/cases\/([^/]+)$/.exec(hash);
  const isAdmin = context.me.roles.includes('administrator');
  const isAuditor = context.me.roles.includes('auditor');
  const readsStatistics = ['statistician', 'auditor', 'administrator'].some((r) =>
    context.me.roles.includes(r),
  );
  // Who reads no case starts on their own screen: administration, audit or statistics.
  const home = readsCases
    ? ''
    : isAdmin
      ? '#/admin'
      : isAuditor
        ? '#/audit'
        : readsStatistics
          ? '#/statistics'
          : '';
  const route = hash === '' && home ? home : hash;
  const readsTa = readsAssistance(context.me.roles);
  const orderMatch = /^#\/orders(?:\/([^/]+))?$/.exec(hash);
  const reviseMatch = /^#\/cases\/([^/]+)\/revise$/.exec(hash);
  const screen = reviseMatch ? (
    <Compose key={reviseMatch[1]} revise={decodeURIComponent(reviseMatch[1])} />
  ) : caseMatch ? (
    <CaseDetail id={decodeURIComponent(caseMatch[1])} />
  ) : orderMatch ? (
    <Orders id={orderMatch[1] ? decodeURIComponent(orderMatch[1]) : undefined} />
  ) : route === '#/statistics' && readsStatistics ? (
    <Statistics />
  ) : hash === '#/duty' ? (
    <Duty />
  ) : hash === '#/compose' ? (
    <Compose />
  ) : hash === '#/approvals' ? (
    <Cases key="approvals" queue />
  ) : route === '#/admin' && isAdmin ? (
    <Admin />
  ) : route === '#/audit' && isAuditor ? (
    <Audit />
  ) : route === '#/assistance' && readsTa ? (
    <Assistance />
  ) : (
    <Cases key="cases" />
  );
  const isDuty = context.me.roles.includes('duty_officer');
  const isOfficer = context.me.roles.includes('officer') || isDuty;

  return (
    <Ui.Provider value={context}>
      <header className="bar">
        <span className="brand">{t('app.title')}</span>
        <nav aria-label={t('nav.main')}>
          {(readsCases || !home) && (
            <a href="#/cases" aria-current={route === '#/cases' || route === '' ? 'page' : undefined}>
              {t('nav.cases')}
            </a>
          )}
          {isOfficer && (
            <a href="#/compose" aria-current={hash === '#/compose' ? 'page' : undefined}>
              {t('nav.compose')}
            </a>
          )}
          {context.me.roles.includes('approver') && (
            <a href="#/approvals" aria-current={hash === '#/approvals' ? 'page' : undefined}>
              {t('nav.approvals')}
            </a>
          )}
          {isDuty && (
            <a href="#/duty" aria-current={hash === '#/duty' ? 'page' : undefined}>
              {t('nav.duty')}
            </a>
          )}
          {isAuditor && (
            <a href="#/audit" aria-current={route === '#/audit' ? 'page' : undefined}>
              {t('nav.audit')}
            </a>
          )}
          {isAdmin && (
            <a href="#/admin" aria-current={route === '#/admin' ? 'page' : undefined}>
              {t('nav.admin')}
            </a>
          )}
          {context.me.roles.includes('responder') && (
            <a href="#/orders" aria-current={orderMatch ? 'page' : undefined}>
              {t('nav.orders')}
            </a>
          )}
          {readsStatistics && (
            <a
              href="#/statistics"
              aria-current={route === '#/statistics' ? 'page' : undefined}
            >
              {t('nav.statistics')}
            </a>
          )}
          {readsTa && (
            <a href="#/assistance" aria-current={route === '#/assistance' ? 'page' : undefined}>
              {t('nav.assistance')}
            </a>
          )}
        </nav>
        <span className="who" data-testid="who">
          {t('session.user', {
            name: context.me.display_name ?? context.me.login ?? '',
            roles: context.me.roles.join(', '),
          })}
          <br />
          <small>{t('session.expires', { time: formatDateTime(lang, context.me.expires) })}</small>
        </span>
        {languageSwitch}
        <button type="button" onClick={signOut}>
          {t('nav.signOut')}
        </button>
      </header>
      <main>{screen}</main>
    </Ui.Provider>
  );
}
