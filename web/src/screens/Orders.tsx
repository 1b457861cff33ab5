import { useCallback, useState } from 'react';

import { ApiError, api, type CaseView, type PreservationOrder } from '../api/client';
import { useUi } from '../context';
import { formatDateTime } from '../i18n';
import { nameOf } from '../names';
import { useBasis } from './useBasis';
import { useLoad } from './useLoad';

// The responder's screen at a service provider's node: the orders addressed to it (incoming
// cases), each with its deadlines, and the answers the lifecycle offers as one action each.
// Every answer is a walk along the lifecycle steps the node lists for the case at that moment
// (`steps` of the case view, read again before each step), as the node's own preservation hook
// does (docs/operations.md "Preservation hook"): nothing is taken that the node does not offer.

/** States in which an order still waits for the provider's answer. */
const answered = new Set(['responded', 'refused', 'closed', 'withdrawn']);

/** Request types the legal data gives a preservation period (docs/operations.md). */
const preservationTypes = new Set(['expedited_preservation', 'epoc_pr']);


/** Confirming or disclosing: acknowledge, accept, execute, respond (the node's confirmation path). */
const answerPath = ['acknowledge', 'accept', 'execute', 'respond'];
/** Stating impossibility: acknowledge, then refuse on the ground `impossibility`. */
const impossibilityPath = ['acknowledge', 'refuse'];

// Takes the steps of `path` that the node offers, one at a time, from the first one offered now
// to the last of the path; `last` carries the reasons and grounds of the final step.
async function walk(
  id: string,
  lang: string,
  path: string[],
  last: { reasons?: string; grounds?: string[] },
): Promise<void> {
  for (;;) {
    const view = await api.case(id, lang);
    const offered = new Set((view.steps ?? []).map((s) => s.transition));
    const next = path.findIndex((transition) => offered.has(transition));
    if (next < 0) throw new Error(`no step of ${path.join(', ')} is open in state ${view.case?.state}`);
    const final = next === path.length - 1;
    await api.step(id, path[next], final ? last.reasons : undefined, final ? last.grounds : undefined);
    if (final) return;
  }
}

function Identifier({ value }: { value: unknown }) {
  if (value === null || typeof value !== 'object') return <span dir="auto">{String(value)}</span>;
  const { type, value: text, ...rest } = value as Record<string, unknown>;
  return (
    <span dir="auto">
      {type ? <strong>{String(type)}: </strong> : null}
      {String(text ?? '')}
      {Object.entries(rest).map(([k, v]) => ` · ${k} ${String(v)}`)}
    </span>
  );
}

// What the order asks: the data, the accounts and identifiers, the period of the data.
function Asked({ request }: { request: Record<string, unknown> }) {
  const { t, lang } = useUi();
  const fields = (request.fields ?? {}) as Record<string, unknown>;
  const categories = Array.isArray(fields.data_categories) ? fields.data_categories : [];
  const identifiers = Array.isArray(fields.identifiers) ? fields.identifiers : [];
  const range = fields.time_range as { from?: string; to?: string } | undefined;
  return (
    <dl className="fields" data-testid="order-asked">
      {typeof fields.service_provider === 'string' && (
        <div>
          <dt>{t('orders.addressee')}</dt>
          <dd dir="auto">{fields.service_provider}</dd>
        </div>
      )}
      <div>
        <dt>{t('orders.data')}</dt>
        <dd data-testid="order-data">{categories.length ? categories.map(String).join(', ') : '—'}</dd>
      </div>
      <div>
        <dt>{t('orders.accounts')}</dt>
        <dd>
          {identifiers.length ? (
            <ul className="plain" data-testid="order-accounts">
              {identifiers.map((item, i) => (
                <li key={i}>
                  <Identifier value={item} />
                </li>
              ))}
            </ul>
          ) : (
            '—'
          )}
        </dd>
      </div>
      {range && (
        <div>
          <dt>{t('orders.timeRange')}</dt>
          <dd>
            {formatDateTime(lang, range.from)} – {formatDateTime(lang, range.to)}
          </dd>
        </div>
      )}
    </dl>
  );
}

// Closing an order of the preservation queue that was answered by hand
// (POST /api/v1/preservation/queue/{id}/handled): the note is required; nothing goes to the sender.
function HandleQueued({ order, onDone }: { order: PreservationOrder; onDone: () => void }) {
  const { t, sessionEnded } = useUi();
  const [note, setNote] = useState('');
  const [reference, setReference] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  const close = async () => {
    if (!note.trim()) {
      setFailure(t('orders.handled.noteRequired'));
      return;
    }
    setFailure('');
    setBusy(true);
    try {
      await api.preservationHandled(order.message_id, note.trim(), reference.trim());
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="steps" data-testid="handle-queued">
      <label>
        {t('orders.handled.note')}
        <textarea
          rows={2}
          value={note}
          dir="auto"
          required
          aria-required="true"
          maxLength={4000}
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      <label>
        {t('orders.handled.reference')}
        <input value={reference} dir="auto" maxLength={200} onChange={(e) => setReference(e.target.value)} />
      </label>
      <div className="buttons">
        <button type="button" className="secondary" disabled={busy} onClick={() => void close()}>
          {t('orders.handled.close')}
        </button>
      </div>
      {failure && <p role="alert">{failure}</p>}
    </div>
  );
}

// Orders the hook could not finish, with or without a case: each can be closed once answered.
function Queue({ queue, onDone }: { queue: PreservationOrder[]; onDone: () => void }) {
  const { t, lang } = useUi();
  const waiting = queue.filter((o) => o.state === 'queued_for_responder');
  return (
    <section aria-labelledby="queue-title" data-testid="preservation-queue">
      <h2 id="queue-title">{t('orders.queue.title')}</h2>
      <p>{t('orders.queue.intro')}</p>
      {waiting.length === 0 && <p>{t('orders.queue.none')}</p>}
      {waiting.map((o) => (
        <article key={o.message_id} className="card" data-testid="queued-order" aria-label={o.message_id}>
          <dl className="fields">
            <div>
              <dt>{t('orders.queue.message')}</dt>
              <dd>{o.message_id}</dd>
            </div>
            <div>
              <dt>{t('orders.from')}</dt>
              <dd>{o.sender}</dd>
            </div>
            <div>
              <dt>{t('cases.type')}</dt>
              <dd>
                {o.request_type}
                {o.priority === 'emergency' && <strong className="urgent"> {t('cases.emergency')}</strong>}
              </dd>
            </div>
            <div>
              <dt>{t('orders.received')}</dt>
              <dd>{formatDateTime(lang, o.received)}</dd>
            </div>
            <div>
              <dt>{t('orders.queue.why')}</dt>
              <dd>
                {o.error_code}
                {o.error && (
                  <span className="reasons" lang="en" dir="ltr">
                    {' '}
                    {o.error}
                  </span>
                )}
              </dd>
            </div>
          </dl>
          <HandleQueued order={o} onDone={onDone} />
        </article>
      ))}
    </section>
  );
}

function OrderPanel({ id, queue, onDone }: { id: string; queue: PreservationOrder[]; onDone: () => void }) {
  const { t, lang, sessionEnded } = useUi();
  const loadView = useCallback(() => api.case(id, lang), [id, lang]);
  const { data: view, error, reload } = useLoad<CaseView>(loadView);
  const loadDeadlines = useCallback(() => api.deadlines(id), [id]);
  const { data: deadlines, reload: reloadDeadlines } = useLoad(loadDeadlines);
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState('');
  // Impossibility is offered where the case's legal basis lists it as a refusal ground.
  const basis = useBasis(view);
  const c = view?.case;
  if (error) return <p role="alert">{t('error.load', { message: error })}</p>;
  if (!view || !c) return null;

  const offered = new Set((view.steps ?? []).map((s) => s.transition));
  const messages = new Set((view.timeline ?? []).map((e) => e.message_id).filter(Boolean));
  const queued = queue.find((q) => messages.has(q.message_id));
  const preservation = preservationTypes.has(c.request_type ?? '') || queued !== undefined;
  const canAnswer = answerPath.some((s) => offered.has(s));
  const canRefuse =
    (basis?.refusal_grounds ?? []).some((g) => g.id === 'impossibility') &&
    impossibilityPath.some((s) => offered.has(s));
  const answer = (view.timeline ?? []).filter((e) => e.transition === 'respond' || e.transition === 'refuse')
    .slice(-1)[0];

  const run = async (path: string[], last: { reasons?: string; grounds?: string[] }) => {
    setFailure('');
    setBusy(true);
    try {
      await walk(id, lang, path, last);
      setNote('');
      setReason('');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) sessionEnded();
      else setFailure(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
      reload();
      reloadDeadlines();
      onDone();
    }
  };
  const refuse = () => {
    if (!reason.trim()) {
      setFailure(t('orders.reasonRequired'));
      return;
    }
    void run(impossibilityPath, { reasons: reason.trim(), grounds: ['impossibility'] });
  };

  return (
    <section className="card order" aria-labelledby="order-title" data-testid="order">
      <h2 id="order-title">
        {t('orders.order', { number: c.number ?? '' })}
        {c.priority === 'emergency' && <span className="badge">{t('cases.emergency')}</span>}
      </h2>
      <dl className="fields">
        <div>
          <dt>{t('orders.from')}</dt>
          <dd>
            {c.peer_node} ({c.requesting_party})
          </dd>
        </div>
        <div>
          <dt>{t('cases.type')}</dt>
          <dd>{c.request_type}</dd>
        </div>
        <div>
          <dt>{t('orders.received')}</dt>
          <dd>{formatDateTime(lang, c.created)}</dd>
        </div>
        <div>
          <dt>{t('cases.state')}</dt>
          <dd data-testid="order-state">{nameOf(t, 'state', c.state)}</dd>
        </div>
        {queued && (
          <div>
            <dt>{t('orders.hook')}</dt>
            <dd data-testid="order-hook">
              {t('orders.hook.' + queued.state)}
              {queued.error_code ? ` (${queued.error_code})` : ''}
              {queued.reference ? ` — ${queued.reference}` : ''}
              {queued.state === 'handled' && (
                <div className="reasons" dir="auto">
                  {t('orders.handled.by', { by: queued.handled_by ?? '', note: queued.handled_note ?? '' })}
                </div>
              )}
            </dd>
          </div>
        )}
      </dl>
      <h3>{t('orders.asked')}</h3>
      {view.request ? <Asked request={view.request as Record<string, unknown>} /> : null}
      <h3>{t(preservation ? 'orders.deadlines' : 'orders.deadlinesOnly')}</h3>
      {deadlines && deadlines.deadlines.length === 0 && <p>{t('orders.noDeadline')}</p>}
      {deadlines && deadlines.deadlines.length > 0 && (
        <table data-testid="order-deadlines">
          <thead>
            <tr>
              <th scope="col">{t('orders.deadlineKind')}</th>
              <th scope="col">{t('orders.deadlineStarts')}</th>
              <th scope="col">{t('orders.deadlineDue')}</th>
              <th scope="col">{t('cases.state')}</th>
            </tr>
          </thead>
          <tbody>
            {deadlines.deadlines.map((d) => (
              <tr key={d.id}>
                <td>
                  {nameOf(t, 'deadline', d.kind)}
                  {/preserv/.test(d.kind) && <div className="reasons">{t('orders.preservationPeriod')}</div>}
                </td>
                <td>{formatDateTime(lang, d.starts)}</td>
                <td>{formatDateTime(lang, d.due)}</td>
                <td>{d.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {answer && (
        <p className="answer" data-testid="order-answer">
          <strong>{t('orders.answer.' + answer.transition)}</strong> — {formatDateTime(lang, answer.at)}
          {answer.grounds && answer.grounds.length > 0 ? ` (${answer.grounds.join(', ')})` : ''}
          {answer.reasons && (
            <span className="reasons" dir="auto">
              {' '}
              {answer.reasons}
            </span>
          )}
        </p>
      )}
      {(canAnswer || canRefuse) && (
        <div className="answers">
          {canAnswer && (
            <div className="steps">
              <label>
                {t(preservation ? 'orders.confirmNote' : 'orders.discloseNote')}
                <textarea rows={2} value={note} dir="auto" onChange={(e) => setNote(e.target.value)} />
              </label>
              <div className="buttons">
                <button
                  type="button"
                  disabled={busy}
                  onClick={() => void run(answerPath, { reasons: note.trim() || undefined })}
                >
                  {t(preservation ? 'orders.confirm' : 'orders.disclose')}
                </button>
              </div>
            </div>
          )}
          {canRefuse && (
            <div className="steps">
              <label>
                {t('orders.impossibilityReason')}
                <textarea
                  rows={2}
                  value={reason}
                  dir="auto"
                  required
                  aria-required="true"
                  onChange={(e) => setReason(e.target.value)}
                />
              </label>
              <div className="buttons">
                <button type="button" className="secondary" disabled={busy} onClick={refuse}>
                  {t('orders.impossibility')}
                </button>
              </div>
            </div>
          )}
        </div>
      )}
      {busy && <p role="status">{t('orders.working')}</p>}
      {failure && <p role="alert">{failure}</p>}
      {queued?.state === 'queued_for_responder' && (
        <section aria-labelledby="order-handled-title">
          <h3 id="order-handled-title">{t('orders.handled.title')}</h3>
          <p>{t('orders.handled.intro')}</p>
          <HandleQueued order={queued} onDone={onDone} />
        </section>
      )}
      <p>
        <a href={`#/cases/${encodeURIComponent(id)}`}>{t('orders.caseLink')}</a>
      </p>
    </section>
  );
}

export function Orders({ id }: { id?: string }) {
  const { t, lang } = useUi();
  const [all, setAll] = useState(false);
  const load = useCallback(
    () =>
      Promise.all([
        api.cases('in', ''),
        api.preservationQueue('all').catch((err: unknown) => {
          if (err instanceof ApiError && err.status !== 401) return { orders: [] };
          throw err;
        }),
      ]),
    [],
  );
  const { data, error, reload } = useLoad(load);
  const cases = (data?.[0].cases ?? []).filter((c) => all || !answered.has(c.state ?? ''));
  const queue = data?.[1].orders ?? [];

  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">{t('orders.title')}</h1>
      <p>{t('orders.intro')}</p>
      <div className="filters">
        <label>
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />{' '}
          {t('orders.showAnswered')}
        </label>
      </div>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && cases.length === 0 && <p>{t('orders.none')}</p>}
      {cases.length > 0 && (
        <table data-testid="orders">
          <thead>
            <tr>
              <th scope="col">{t('cases.number')}</th>
              <th scope="col">{t('orders.from')}</th>
              <th scope="col">{t('cases.type')}</th>
              <th scope="col">{t('cases.priority')}</th>
              <th scope="col">{t('orders.received')}</th>
              <th scope="col">{t('cases.due')}</th>
              <th scope="col">{t('cases.state')}</th>
            </tr>
          </thead>
          <tbody>
            {cases.map((c) => (
              <tr
                key={c.id}
                className={c.priority === 'emergency' ? 'emergency' : undefined}
                aria-current={c.id === id ? 'true' : undefined}
              >
                <td>
                  <a href={`#/orders/${encodeURIComponent(c.id ?? '')}`}>{c.number}</a>
                </td>
                <td>{c.peer_node}</td>
                <td>{c.request_type}</td>
                <td>
                  {c.priority === 'emergency' ? (
                    <strong className="urgent">{t('cases.emergency')}</strong>
                  ) : (
                    t('cases.normal')
                  )}
                </td>
                <td>{formatDateTime(lang, c.created)}</td>
                <td>{formatDateTime(lang, c.next_due)}</td>
                <td>{nameOf(t, 'state', c.state)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {id && <OrderPanel key={id} id={id} queue={queue} onDone={reload} />}
      <Queue queue={queue} onDone={reload} />
    </section>
  );
}
