// The legal holds of a case (docs/operations.md "Retention and legal holds"): every hold the node
// lists, oldest first, with who placed it, when and why, and when it was lifted and by whom;
// placing one with a reason, and lifting the one in force after a confirmation, for those who
// may edit the case. A hold stops the retention clock of all the case's evidence packages;
// lifting it lets the clock run again, and the node shreds at once what is past its retention.
// The button of a call is gone once the list is read again, so the focus moves after each answer:
// to a status saying the hold is placed or lifted, or to the refusal (afterHold).
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';

import { ApiError, type Answer, type Me, type Schemas, json } from '../api/client';
import { useUi } from '../context';
import { formatDateTime } from '../i18n';
import { type Refusal, RefusalNotice } from './Refusal';
import { useLoad } from './useLoad';

export type LegalHold = Schemas['LegalHold'];

/** The most a hold's reason may hold, in bytes of UTF-8 (`PUT /api/v1/cases/{id}/hold`). */
export const kMaxReasonBytes = 500;

const casePath = (id: string) => `/api/v1/cases/${encodeURIComponent(id)}`;

export const holdsApi = {
  list: (caseId: string) => json<Answer<'/api/v1/cases/{id}/holds', 'get'>>('GET', `${casePath(caseId)}/holds`),
  place: (caseId: string, reason: string) =>
    json<Answer<'/api/v1/cases/{id}/hold', 'put'>>('PUT', `${casePath(caseId)}/hold`, { reason }),
  lift: (caseId: string) => json<Answer<'/api/v1/cases/{id}/hold', 'delete'>>('DELETE', `${casePath(caseId)}/hold`),
};

/**
 * Whether `me` may place and lift holds: `case.edit`, which docs/permissions.md gives officers
 * (on the cases of their unit and incoming ones, the very cases they may read) and duty officers
 * (on every case). The node decides again on every call.
 */
export function mayHold(me: Pick<Me, 'roles'>): boolean {
  return me.roles.includes('officer') || me.roles.includes('duty_officer');
}

/** The hold in force among `holds`, if any (the node keeps one at most per case). */
export function holdInForce(holds: readonly LegalHold[]): LegalHold | undefined {
  return holds.find((h) => h.in_force);
}

/** The length of `text` in bytes of UTF-8, as the node counts a reason. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** What keeps a reason from being sent: none, or `required` or `too_long` (1–500 bytes). */
export function reasonProblem(reason: string): '' | 'required' | 'too_long' {
  const bytes = utf8Bytes(reason.trim());
  if (bytes === 0) return 'required';
  return bytes > kMaxReasonBytes ? 'too_long' : '';
}

/**
 * The node's refusal of a hold call as it typed it, with the reason in the UI's terms:
 * `in_force` (409 `already_exists`: a hold is in force already), `none_in_force` (404: no hold in
 * force to lift), `reason` (400 `invalid_argument`), `denied` (403); undefined for a failure that
 * is not the node's answer.
 */
export function holdRefusalOf(err: unknown): Refusal | undefined {
  if (!(err instanceof ApiError)) return undefined;
  let reason = '';
  if (err.status === 409 && err.code === 'already_exists') reason = 'in_force';
  else if (err.status === 404 && err.reason === 'no_hold_in_force') reason = 'none_in_force';
  else if (err.status === 400 && err.code === 'invalid_argument') reason = 'reason';
  else if (err.status === 403) reason = 'denied';
  return { status: err.status, code: err.code, reason, message: err.message };
}

/** A hold call that was made: one `placed` or `lifted` it. */
export type HoldStep = 'placed' | 'lifted';

/** What the section does once a hold call is answered. */
export interface AfterHold {
  /** The status to show: the hold `placed` or `lifted`, or none. */
  said: '' | HoldStep;
  /** Where the focus goes: on that status, on the refusal (role="alert"), or nowhere. */
  focus: 'status' | 'alert' | 'none';
  /** Whether the holds and the case's packages are read again. */
  reread: boolean;
}

/**
 * What follows the call meant to have `step` done, answered with success or with `failure.err`.
 * The button that made the call is gone once the list is read again (the form gives way to the
 * lift and back), so the focus moves where a keyboard or screen-reader user learns the outcome
 * and goes on from: after a success, to the status saying the hold is placed or lifted (the next
 * Tab reaches the lift button or the reason); after a refusal, to the alert. A success and a
 * refusal saying the page was behind (a hold placed or lifted meanwhile: `in_force`,
 * `none_in_force`) read the list and the packages again. A 401 ends the session, which leaves
 * the screen: nothing to show or focus.
 */
export function afterHold(step: HoldStep, failure?: { err: unknown }): AfterHold {
  if (!failure) return { said: step, focus: 'status', reread: true };
  if (failure.err instanceof ApiError && failure.err.status === 401) return { said: '', focus: 'none', reread: false };
  const reason = holdRefusalOf(failure.err)?.reason;
  return { said: '', focus: 'alert', reread: reason === 'in_force' || reason === 'none_in_force' };
}

function PlaceHold({
  busy,
  onPlace,
}: {
  busy: boolean;
  onPlace: (reason: string) => Promise<boolean>;
}) {
  const { t, lang } = useUi();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<'' | 'required' | 'too_long'>('');
  const bytes = utf8Bytes(reason.trim());
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const p = reasonProblem(reason);
    setProblem(p);
    if (p) return;
    if (await onPlace(reason.trim())) setReason('');
  };
  return (
    <form className="holds-place" onSubmit={(e) => void submit(e)} data-testid="holds-place" noValidate>
      <h4>{t('holds.place')}</h4>
      <label htmlFor="holds-reason">{t('holds.reasonLabel')}</label>
      <textarea
        id="holds-reason"
        rows={2}
        dir="auto"
        value={reason}
        maxLength={kMaxReasonBytes}
        aria-required="true"
        aria-invalid={problem !== ''}
        aria-describedby="holds-reason-bytes"
        onChange={(e) => {
          setReason(e.target.value);
          setProblem('');
        }}
      />
      <p id="holds-reason-bytes" className="cites" data-testid="holds-reason-bytes">
        {t('holds.reasonBytes', { count: bytes, max: new Intl.NumberFormat(lang).format(kMaxReasonBytes) })}
      </p>
      {problem && (
        <p role="alert" className="error" data-testid="holds-reason-problem">
          {t(problem === 'required' ? 'holds.reasonRequired' : 'holds.reasonTooLong', { max: kMaxReasonBytes })}
        </p>
      )}
      <p>
        <button type="submit" disabled={busy}>
          {t('holds.placeButton')}
        </button>
      </p>
    </form>
  );
}

function LiftHold({ busy, onLift }: { busy: boolean; onLift: () => Promise<boolean> }) {
  const { t } = useUi();
  const [asking, setAsking] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  const ask = useRef<HTMLButtonElement>(null);
  const cancelled = useRef(false);
  // Focus goes to the safe answer when the question opens, and back to the button when it is
  // cancelled; once the hold is lifted the section moves it to the status that says so.
  useEffect(() => {
    if (asking) cancel.current?.focus();
    else if (cancelled.current) ask.current?.focus();
    cancelled.current = false;
  }, [asking]);
  if (!asking) {
    return (
      <p>
        <button type="button" className="danger" ref={ask} onClick={() => setAsking(true)}>
          {t('holds.lift')}
        </button>
      </p>
    );
  }
  return (
    <div className="confirm-box" role="group" aria-labelledby="holds-lift-confirm" data-testid="holds-lift-confirm">
      <p className="confirm" id="holds-lift-confirm">
        {t('holds.liftConfirm')}
      </p>
      <div className="buttons">
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() =>
            void onLift().then((done) => {
              if (done) setAsking(false);
            })
          }
        >
          {t('holds.liftYes')}
        </button>{' '}
        <button
          type="button"
          ref={cancel}
          onClick={() => {
            cancelled.current = true;
            setAsking(false);
          }}
        >
          {t('holds.liftNo')}
        </button>
      </div>
    </div>
  );
}

/** The legal holds of case `caseId`; `onChanged` runs after a hold was placed or lifted. */
export function Holds({ caseId, onChanged }: { caseId: string; onChanged: () => void }) {
  const { t, lang, me, sessionEnded } = useUi();
  const load = useCallback(() => holdsApi.list(caseId), [caseId]);
  const { data, error, reload } = useLoad(load);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(undefined);
  const [said, setSaid] = useState<'' | HoldStep>('');
  // Set anew after each answer, so that the effect below moves the focus once it is drawn.
  const [focusOn, setFocusOn] = useState<{ to: AfterHold['focus'] }>({ to: 'none' });
  const status = useRef<HTMLParagraphElement>(null);
  const refusal = useRef<HTMLDivElement>(null);
  const holds = data?.holds ?? [];
  const inForce = holdInForce(holds);
  const editor = mayHold(me);

  useEffect(() => {
    if (focusOn.to === 'status') status.current?.focus();
    if (focusOn.to === 'alert') {
      const alert = refusal.current?.querySelector<HTMLElement>('[role="alert"]');
      alert?.setAttribute('tabindex', '-1');
      alert?.focus();
    }
  }, [focusOn]);

  // One call, then what afterHold says: the status or the refusal, focused; the list and the
  // packages read again after a success or a refusal that says the page was behind.
  const act = async (step: HoldStep, call: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setFailure(undefined);
    setSaid('');
    let next: AfterHold;
    try {
      await call();
      next = afterHold(step);
    } catch (err) {
      next = afterHold(step, { err });
      if (next.focus === 'none') sessionEnded();
      else setFailure(err);
    } finally {
      setBusy(false);
    }
    setSaid(next.said);
    setFocusOn({ to: next.focus });
    if (next.reread) {
      reload();
      onChanged();
    }
    return next.said !== '';
  };

  return (
    <section className="card holds" aria-labelledby="holds-title" data-testid="holds">
      <h3 id="holds-title">{t('holds.title')}</h3>
      <p className="cites">{t('holds.intro')}</p>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && holds.length === 0 && <p data-testid="holds-none">{t('holds.none')}</p>}
      {holds.length > 0 && (
        <table data-testid="holds-list">
          <caption className="sr-only">{t('holds.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('holds.placed')}</th>
              <th scope="col">{t('holds.placedBy')}</th>
              <th scope="col">{t('holds.reason')}</th>
              <th scope="col">{t('holds.state')}</th>
            </tr>
          </thead>
          <tbody>
            {holds.map((h) => (
              <tr key={h.hold} data-testid="hold-row" data-hold={h.hold} data-in-force={String(Boolean(h.in_force))}>
                <td>
                  <time dateTime={h.placed}>{formatDateTime(lang, h.placed)}</time>
                </td>
                <td>{h.placed_by}</td>
                <td dir="auto" data-testid="hold-reason">
                  {h.reason}
                </td>
                <td data-testid="hold-state">
                  {h.in_force
                    ? t('holds.inForce')
                    : t('holds.lifted', { date: formatDateTime(lang, h.lifted), actor: h.lifted_by ?? '' })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {said && (
        <p role="status" tabIndex={-1} ref={status} className="ok" data-testid="holds-done" data-said={said}>
          {t(said === 'placed' ? 'holds.donePlaced' : 'holds.doneLifted')}
        </p>
      )}
      {data && editor && inForce && (
        <LiftHold busy={busy} onLift={() => act('lifted', () => holdsApi.lift(caseId))} />
      )}
      {data && editor && !inForce && (
        <PlaceHold busy={busy} onPlace={(reason) => act('placed', () => holdsApi.place(caseId, reason))} />
      )}
      {data && !editor && <p className="cites" data-testid="holds-read-only">{t('holds.readOnly')}</p>}
      {failure !== undefined && (
        <div ref={refusal}>
          <RefusalNotice
            failure={failure}
            refusal={holdRefusalOf(failure)}
            texts="holds"
            failedKey="holds.failed"
            testid="holds-error"
          />
        </div>
      )}
    </section>
  );
}
