// The administrator's screen: the node's users (added with their one-time password and TOTP
// enrolment, shown once), the administrator's personal API tokens, the duty roster and the
// directory as this node holds it. No case content: the administrator has no case.* action.
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';

import {
  ApiError,
  api,
  type Enrolment,
  type NodeEntry,
  type Roster,
  type Shift,
  type Token,
  type User,
} from '../api/client';
import { useUi } from '../context';
import { formatDateTime } from '../i18n';
import { useLoad } from './useLoad';

export const roles = [
  'officer',
  'approver',
  'duty_officer',
  'responder',
  'auditor',
  'statistician',
  'administrator',
] as const;

/** The SVG text as a data: URL (the CSP allows images from data:, never inline markup). */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return 'data:image/svg+xml;base64,' + btoa(binary);
}

/** A call's failure as text; a 401 ends the session instead. */
function useFailure(): [string, (err: unknown) => void, () => void] {
  const { sessionEnded } = useUi();
  const [failure, setFailure] = useState('');
  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else setFailure(err instanceof Error ? err.message : String(err));
    },
    [sessionEnded],
  );
  return [failure, fail, () => setFailure('')];
}

// A box that appears after an action (the enrolment, a new token) takes the focus, so that it
// is read out and in view wherever the action's button was.
function useFocusOnMount<T extends HTMLElement>() {
  const ref = useRef<T>(null);
  useEffect(() => {
    ref.current?.focus();
    ref.current?.scrollIntoView({ block: 'nearest' });
  }, []);
  return ref;
}

// What the node answers once: the one-time password and/or the TOTP enrolment. It is kept in
// this component's state only, and gone once dismissed or the screen is left.
function EnrolmentCard({ enrolment, onDone }: { enrolment: Enrolment; onDone: () => void }) {
  const { t } = useUi();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <div className="card enrolment" data-testid="enrolment" role="region" aria-labelledby="enrolment-title">
      <h3 id="enrolment-title" tabIndex={-1} ref={heading}>{t('admin.enrolment.title', { login: enrolment.login ?? '' })}</h3>
      <p className="notice">{t('admin.enrolment.once')}</p>
      <dl className="fields">
        {(
          [
            ['password', enrolment.password],
            ['secret', enrolment.totp_secret],
            ['uri', enrolment.otpauth_uri],
          ] as const
        ).map(
          ([part, value]) =>
            value && (
              <div key={part}>
                <dt>{t(`admin.enrolment.${part}`)}</dt>
                <dd className="secret" dir="ltr" data-testid={`enrolment-${part}`}>
                  {value}
                </dd>
              </div>
            ),
        )}
      </dl>
      {enrolment.qr_svg && (
        <img
          className="qr"
          src={svgDataUrl(enrolment.qr_svg)}
          alt={t('admin.enrolment.qr', { login: enrolment.login ?? '' })}
          data-testid="enrolment-qr"
        />
      )}
      <p>
        <button type="button" onClick={onDone}>
          {t('admin.enrolment.done')}
        </button>
      </p>
    </div>
  );
}

function RoleBoxes({
  legend,
  offered,
  chosen,
  onChange,
}: {
  legend: string;
  offered: readonly string[];
  chosen: string[];
  onChange: (roles: string[]) => void;
}) {
  const { t } = useUi();
  return (
    <fieldset className="roles">
      <legend>{legend}</legend>
      {offered.map((role) => (
        <label key={role} className="inline">
          <input
            type="checkbox"
            checked={chosen.includes(role)}
            onChange={(e) =>
              onChange(e.target.checked ? [...chosen, role] : chosen.filter((r) => r !== role))
            }
          />{' '}
          {t('role.' + role)}
        </label>
      ))}
    </fieldset>
  );
}

function UserRow({ user, onEnrolment, onChanged }: {
  user: User;
  onEnrolment: (e: Enrolment) => void;
  onChanged: () => void;
}) {
  const { t, lang } = useUi();
  const [confirming, setConfirming] = useState(false);
  const [failure, fail, clear] = useFailure();
  const login = user.login ?? '';
  const act = async (call: () => Promise<Enrolment | object>) => {
    clear();
    try {
      const answer = await call();
      if ('login' in answer && ('password' in answer || 'qr_svg' in answer)) onEnrolment(answer);
      setConfirming(false);
      onChanged();
    } catch (err) {
      fail(err);
    }
  };
  const state = user.disabled
    ? t('admin.users.disabled')
    : user.locked_until
      ? t('admin.users.locked', { time: formatDateTime(lang, user.locked_until) })
      : t('admin.users.active');
  return (
    <tr data-testid={`user-${login}`}>
      <td>{login}</td>
      <td dir="auto">{user.display_name}</td>
      <td>{user.unit}</td>
      <td>{(user.roles ?? []).map((r) => t('role.' + r)).join(', ')}</td>
      <td>{state}</td>
      <td>
        {!user.disabled && (
          <div className="buttons">
            <button
              type="button"
              onClick={() => act(() => api.resetPassword(login))}
              aria-label={t('admin.users.resetPasswordOf', { login })}
            >
              {t('admin.users.resetPassword')}
            </button>
            <button
              type="button"
              onClick={() => act(() => api.resetTotp(login))}
              aria-label={t('admin.users.resetTotpOf', { login })}
            >
              {t('admin.users.resetTotp')}
            </button>
            {!confirming ? (
              <button
                type="button"
                className="danger"
                onClick={() => setConfirming(true)}
                aria-label={t('admin.users.disableOf', { login })}
              >
                {t('admin.users.disable')}
              </button>
            ) : (
              <span role="group" aria-label={t('admin.users.confirmDisable', { login })}>
                <span className="confirm">{t('admin.users.confirmDisable', { login })}</span>{' '}
                <button type="button" className="danger" onClick={() => act(() => api.disableUser(login))}>
                  {t('admin.users.confirm')}
                </button>{' '}
                <button type="button" onClick={() => setConfirming(false)}>
                  {t('admin.cancel')}
                </button>
              </span>
            )}
          </div>
        )}
        {user.disabled && (
          <button
            type="button"
            onClick={() => act(() => api.enableUser(login))}
            aria-label={t('admin.users.enableOf', { login })}
          >
            {t('admin.users.enable')}
          </button>
        )}
        {failure && <p role="alert">{failure}</p>}
      </td>
    </tr>
  );
}

function Users() {
  const { t } = useUi();
  const load = useCallback(() => api.users(), []);
  const { data, error, reload } = useLoad(load);
  const [enrolment, setEnrolment] = useState<Enrolment>();
  const [login, setLogin] = useState('');
  const [name, setName] = useState('');
  const [unit, setUnit] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [failure, fail, clear] = useFailure();

  const add = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    if (chosen.length === 0) {
      fail(new Error(t('admin.users.roleRequired')));
      return;
    }
    try {
      const answer = await api.addUser({
        login: login.trim(),
        display_name: name.trim(),
        unit: unit.trim(),
        roles: chosen as (typeof roles)[number][],
      });
      setEnrolment(answer);
      setLogin('');
      setName('');
      setUnit('');
      setChosen([]);
      reload();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section aria-labelledby="users-title" className="admin-part">
      <h2 id="users-title">{t('admin.users.title')}</h2>
      {enrolment && (
        <EnrolmentCard
          key={(enrolment.password ?? '') + (enrolment.totp_secret ?? '')}
          enrolment={enrolment}
          onDone={() => setEnrolment(undefined)}
        />
      )}
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && (
        <table data-testid="users">
          <thead>
            <tr>
              <th scope="col">{t('admin.users.login')}</th>
              <th scope="col">{t('admin.users.name')}</th>
              <th scope="col">{t('admin.users.unit')}</th>
              <th scope="col">{t('admin.users.roles')}</th>
              <th scope="col">{t('admin.users.state')}</th>
              <th scope="col">{t('admin.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {data.map((u) => (
              <UserRow key={u.login} user={u} onEnrolment={setEnrolment} onChanged={reload} />
            ))}
          </tbody>
        </table>
      )}
      <form className="card form" onSubmit={add} aria-labelledby="add-user-title">
        <h3 id="add-user-title">{t('admin.users.add')}</h3>
        <div className="field">
          <label htmlFor="new-user-login">{t('admin.users.login')}</label>
          <input
            id="new-user-login"
            value={login}
            required
            pattern="[a-z0-9][a-z0-9._\-]{0,63}"
            autoComplete="off"
            onChange={(e) => setLogin(e.target.value)}
            aria-describedby="login-hint"
          />
          <small id="login-hint">{t('admin.users.loginHint')}</small>
        </div>
        <label className="field">
          {t('admin.users.name')}
          <input value={name} required maxLength={200} dir="auto" onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          {t('admin.users.unit')}
          <input
            value={unit}
            required
            pattern="[a-z0-9][a-z0-9._\-]{0,63}"
            autoComplete="off"
            onChange={(e) => setUnit(e.target.value)}
          />
        </label>
        <RoleBoxes legend={t('admin.users.roles')} offered={roles} chosen={chosen} onChange={setChosen} />
        <p>
          <button type="submit">{t('admin.users.addButton')}</button>
        </p>
        {failure && <p role="alert">{failure}</p>}
      </form>
    </section>
  );
}

function TokenRow({ token, owner, onChanged }: { token: Token; owner: boolean; onChanged: () => void }) {
  const { t, lang } = useUi();
  const [failure, fail, clear] = useFailure();
  const revoke = async () => {
    clear();
    try {
      await api.revokeToken(token.id ?? '');
      onChanged();
    } catch (err) {
      fail(err);
    }
  };
  return (
    <tr data-testid={`token-${token.name}`}>
      {owner && <td>{token.owner}</td>}
      <td dir="auto">{token.name}</td>
      <td>{(token.roles ?? []).map((r) => t('role.' + r)).join(', ')}</td>
      <td>{formatDateTime(lang, token.created)}</td>
      <td>{formatDateTime(lang, token.expires)}</td>
      <td>{token.last_used ? formatDateTime(lang, token.last_used) : '—'}</td>
      <td>
        {token.revoked ? (
          t('admin.tokens.revokedAt', { time: formatDateTime(lang, token.revoked) })
        ) : (
          <button
            type="button"
            className="danger"
            onClick={revoke}
            aria-label={t('admin.tokens.revokeOf', { name: token.name ?? '' })}
          >
            {t('admin.tokens.revoke')}
          </button>
        )}
        {failure && <p role="alert">{failure}</p>}
      </td>
    </tr>
  );
}

function NewToken({ token, onDone }: { token: Token; onDone: () => void }) {
  const { t } = useUi();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <div className="card enrolment" data-testid="new-token" role="region" aria-labelledby="new-token-title">
      <h3 id="new-token-title" tabIndex={-1} ref={heading}>
        {t('admin.tokens.created', { name: token.name ?? '' })}
      </h3>
      <p className="notice">{t('admin.tokens.once')}</p>
      <p className="secret" dir="ltr" data-testid="new-token-secret">
        {token.token}
      </p>
      <button type="button" onClick={onDone}>
        {t('admin.enrolment.done')}
      </button>
    </div>
  );
}

function Tokens() {
  const { t, me } = useUi();
  // An administrator may see every user's tokens (the node answers at most the newest 1000).
  const [everyone, setEveryone] = useState(false);
  const load = useCallback(() => api.tokens(everyone ? 'all' : 'self'), [everyone]);
  const { data, error, reload } = useLoad(load);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [lifetime, setLifetime] = useState('90d');
  const [created, setCreated] = useState<Token>();
  const [otherId, setOtherId] = useState('');
  const [revokedOther, setRevokedOther] = useState('');
  const [failure, fail, clear] = useFailure();

  const create = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    if (chosen.length === 0) {
      fail(new Error(t('admin.users.roleRequired')));
      return;
    }
    try {
      setCreated(await api.createToken(name.trim(), chosen, lifetime.trim()));
      setName('');
      reload();
    } catch (err) {
      fail(err);
    }
  };

  const revokeOther = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    setRevokedOther('');
    try {
      await api.revokeToken(otherId.trim());
      setRevokedOther(otherId.trim());
      setOtherId('');
      reload();
    } catch (err) {
      fail(err);
    }
  };

  return (
    <section aria-labelledby="tokens-title" className="admin-part">
      <h2 id="tokens-title">{t('admin.tokens.title')}</h2>
      <p>{t('admin.tokens.intro')}</p>
      {created && <NewToken key={created.id} token={created} onDone={() => setCreated(undefined)} />}
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      <label className="inline">
        <input type="checkbox" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} />{' '}
        {t('admin.tokens.everyone')}
      </label>
      {data && data.length === 0 && <p>{t(everyone ? 'admin.tokens.noneAll' : 'admin.tokens.none')}</p>}
      {data && data.length > 0 && (
        <table data-testid="tokens">
          <thead>
            <tr>
              {everyone && <th scope="col">{t('admin.tokens.owner')}</th>}
              <th scope="col">{t('admin.tokens.name')}</th>
              <th scope="col">{t('admin.users.roles')}</th>
              <th scope="col">{t('admin.tokens.createdAt')}</th>
              <th scope="col">{t('admin.tokens.expires')}</th>
              <th scope="col">{t('admin.tokens.lastUsed')}</th>
              <th scope="col">{t('admin.users.state')}</th>
            </tr>
          </thead>
          <tbody>
            {data.map((tok) => (
              <TokenRow key={tok.id} token={tok} owner={everyone} onChanged={reload} />
            ))}
          </tbody>
        </table>
      )}
      <div className="admin-forms">
        <form className="card form" onSubmit={create} aria-labelledby="new-token-form">
          <h3 id="new-token-form">{t('admin.tokens.create')}</h3>
          <label className="field">
            {t('admin.tokens.name')}
            <input value={name} required maxLength={100} dir="auto" onChange={(e) => setName(e.target.value)} />
          </label>
          <RoleBoxes legend={t('admin.tokens.scope')} offered={me.roles} chosen={chosen} onChange={setChosen} />
          <div className="field">
            <label htmlFor="token-lifetime">{t('admin.tokens.lifetime')}</label>
            <input
              id="token-lifetime"
              value={lifetime}
              onChange={(e) => setLifetime(e.target.value)}
              aria-describedby="lifetime-hint"
              size={8}
            />
            <small id="lifetime-hint">{t('admin.tokens.lifetimeHint')}</small>
          </div>
          <p>
            <button type="submit">{t('admin.tokens.createButton')}</button>
          </p>
        </form>
        <form className="card form" onSubmit={revokeOther} aria-labelledby="revoke-other-title">
          <h3 id="revoke-other-title">{t('admin.tokens.revokeAny')}</h3>
          <label className="field">
            {t('admin.tokens.id')}
            <input value={otherId} required autoComplete="off" onChange={(e) => setOtherId(e.target.value)} />
          </label>
          <p>
            <button type="submit" className="danger">
              {t('admin.tokens.revoke')}
            </button>
          </p>
          {revokedOther && <p role="status">{t('admin.tokens.revokedOther', { id: revokedOther })}</p>}
        </form>
      </div>
      {failure && <p role="alert">{failure}</p>}
    </section>
  );
}

// An ISO instant as the value of a datetime-local input (local time, to the minute), and back.
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const local = new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function fromLocalInput(value: string): string {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function RosterEditor() {
  const { t } = useUi();
  const load = useCallback(() => api.roster(), []);
  const { data: loaded, error, reload } = useLoad(load);
  const [savedRoster, setSavedRoster] = useState<Roster>();
  const data = savedRoster ?? loaded;
  const [edited, setEdited] = useState<Shift[]>();
  const [saved, setSaved] = useState(false);
  // Someone else replaced the roster after it was read here: the edit was refused.
  const [stale, setStale] = useState(false);
  const [failure, fail, clear] = useFailure();
  const shifts = edited ?? data?.shifts ?? [];

  const change = (i: number, patch: Partial<Shift>) => {
    setSaved(false);
    setEdited(shifts.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  };
  const addShift = () => {
    const from = new Date();
    from.setSeconds(0, 0);
    const to = new Date(from.getTime() + 8 * 3600_000);
    setSaved(false);
    setEdited([
      ...shifts,
      { login: '', from: from.toISOString(), to: to.toISOString(), role: 'primary' },
    ]);
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    clear();
    try {
      // The node's answer is the roster as stored, with who is on duty under it. The revision
      // read makes the node refuse the edit if someone replaced the roster meanwhile.
      setSavedRoster(
        await api.saveRoster(
          shifts.map((s) => ({ ...s, login: s.login.trim() })),
          data?.revision,
        ),
      );
      setEdited(undefined);
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setStale(true);
      else fail(err);
    }
  };
  const readAgain = () => {
    setStale(false);
    setEdited(undefined);
    setSavedRoster(undefined);
    reload();
  };

  return (
    <section aria-labelledby="roster-title" className="admin-part">
      <h2 id="roster-title">{t('admin.roster.title')}</h2>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && (
        <p data-testid="on-duty">
          {t('admin.roster.onDuty', {
            primary: (data.on_duty?.primary ?? []).join(', ') || '—',
            backup: (data.on_duty?.backup ?? []).join(', ') || '—',
          })}
        </p>
      )}
      <form onSubmit={save} aria-labelledby="roster-title">
        {shifts.length === 0 && <p>{t('admin.roster.none')}</p>}
        {shifts.length > 0 && (
          <table data-testid="roster">
            <thead>
              <tr>
                <th scope="col">{t('admin.users.login')}</th>
                <th scope="col">{t('admin.roster.from')}</th>
                <th scope="col">{t('admin.roster.to')}</th>
                <th scope="col">{t('admin.roster.role')}</th>
                <th scope="col">{t('admin.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {shifts.map((s, i) => (
                <tr key={i}>
                  <td>
                    <input
                      value={s.login}
                      required
                      aria-label={t('admin.roster.loginOf', { n: i + 1 })}
                      onChange={(e) => change(i, { login: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      type="datetime-local"
                      value={toLocalInput(s.from)}
                      required
                      aria-label={t('admin.roster.fromOf', { n: i + 1 })}
                      onChange={(e) => change(i, { from: fromLocalInput(e.target.value) })}
                    />
                  </td>
                  <td>
                    <input
                      type="datetime-local"
                      value={toLocalInput(s.to)}
                      required
                      aria-label={t('admin.roster.toOf', { n: i + 1 })}
                      onChange={(e) => change(i, { to: fromLocalInput(e.target.value) })}
                    />
                  </td>
                  <td>
                    <select
                      value={s.role}
                      aria-label={t('admin.roster.roleOf', { n: i + 1 })}
                      onChange={(e) => change(i, { role: e.target.value === 'backup' ? 'backup' : 'primary' })}
                    >
                      <option value="primary">{t('admin.roster.primary')}</option>
                      <option value="backup">{t('admin.roster.backup')}</option>
                    </select>
                  </td>
                  <td>
                    <button
                      type="button"
                      onClick={() => {
                        setSaved(false);
                        setEdited(shifts.filter((_, j) => j !== i));
                      }}
                      aria-label={t('admin.roster.removeOf', { n: i + 1 })}
                    >
                      {t('admin.roster.remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="buttons">
          <button type="button" onClick={addShift}>
            {t('admin.roster.add')}
          </button>
          <button type="submit" disabled={edited === undefined}>
            {t('admin.roster.save')}
          </button>
        </p>
        {saved && <p role="status">{t('admin.roster.saved')}</p>}
        {stale && (
          <div role="alert">
            <p>{t('admin.roster.stale')}</p>
            <button type="button" onClick={readAgain}>
              {t('admin.roster.readAgain')}
            </button>
          </div>
        )}
        {failure && <p role="alert">{failure}</p>}
      </form>
    </section>
  );
}

function DirectoryRow({ entry, own }: { entry: NodeEntry; own: boolean }) {
  const { t } = useUi();
  return (
    <tr data-testid={`directory-${entry.id}`}>
      <th scope="row">
        {entry.id}
        {own && <div>{t('admin.directory.thisNode')}</div>}
      </th>
      <td>{entry.party}</td>
      <td dir="auto">{entry.authority}</td>
      <td>{(entry.roles ?? []).join(', ')}</td>
      <td className="key" dir="ltr">
        {entry.endpoint}
      </td>
      <td>{(entry.languages ?? []).join(', ')}</td>
      <td className="key">
        <dl className="keys">
          <dt>{t('admin.directory.signingKey')}</dt>
          <dd dir="ltr">{entry.signing_key}</dd>
          {entry.box_key && (
            <>
              <dt>{t('admin.directory.boxKey')}</dt>
              <dd dir="ltr">{entry.box_key}</dd>
            </>
          )}
          {entry.tls_sha256 && (
            <>
              <dt>{t('admin.directory.tls')}</dt>
              <dd dir="ltr">{entry.tls_sha256}</dd>
            </>
          )}
        </dl>
      </td>
    </tr>
  );
}

function Directory() {
  const { t, lang } = useUi();
  const load = useCallback(() => api.node(), []);
  const { data, error } = useLoad(load);
  return (
    <section aria-labelledby="directory-title" className="admin-part">
      <h2 id="directory-title">{t('admin.directory.title')}</h2>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && (
        <>
          <p>
            {t('admin.directory.summary', {
              node: data.node,
              serial: new Intl.NumberFormat(lang).format(data.directory_serial),
              size: data.ledger_size,
            })}
          </p>
          <table data-testid="directory">
            <thead>
              <tr>
                <th scope="col">{t('admin.directory.node')}</th>
                <th scope="col">{t('admin.directory.party')}</th>
                <th scope="col">{t('admin.directory.authority')}</th>
                <th scope="col">{t('admin.users.roles')}</th>
                <th scope="col">{t('admin.directory.endpoint')}</th>
                <th scope="col">{t('admin.directory.languages')}</th>
                <th scope="col">{t('admin.directory.keys')}</th>
              </tr>
            </thead>
            <tbody>
              {data.entry && <DirectoryRow entry={data.entry} own />}
              {data.peers.map((p) => (
                <DirectoryRow key={p.id} entry={p} own={false} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export function Admin() {
  const { t } = useUi();
  return (
    <section aria-labelledby="admin-title">
      <h1 id="admin-title">{t('admin.title')}</h1>
      <nav aria-label={t('admin.parts')} className="parts">
        <a href="#/admin" onClick={jump('users-title')}>{t('admin.users.title')}</a>
        <a href="#/admin" onClick={jump('tokens-title')}>{t('admin.tokens.title')}</a>
        <a href="#/admin" onClick={jump('roster-title')}>{t('admin.roster.title')}</a>
        <a href="#/admin" onClick={jump('directory-title')}>{t('admin.directory.title')}</a>
      </nav>
      <Users />
      <Tokens />
      <RosterEditor />
      <Directory />
    </section>
  );
}

// The page's routes live in the hash, so a part is reached by moving focus, not by a fragment.
function jump(id: string) {
  return (e: { preventDefault: () => void }) => {
    e.preventDefault();
    const heading = document.getElementById(id);
    if (!heading) return;
    heading.setAttribute('tabindex', '-1');
    heading.focus();
    heading.scrollIntoView();
  };
}
