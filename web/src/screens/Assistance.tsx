import { type FormEvent, type ReactNode, useCallback, useState } from 'react';

import { ApiError, api } from '../api/client';
import {
  type Candidate,
  type Engagement,
  type Posting,
  type PostingFilter,
  type Step,
  anyPosting,
  canWithdraw,
  isAwaitingRefusal,
  managesAssistance,
  meanScore,
  parseLanguages,
  periodDays,
  postingQuery,
  refusalOf,
  scoreParts,
  stageReached,
  stages,
  stepsFrom,
} from '../assistance';
import { useUi } from '../context';
import { type Language, formatDateTime, formatNumber } from '../i18n';
import { RefusalNotice } from './Refusal';
import { useLoad } from './useLoad';

// Technical assistance between States (docs/assistance.md): the needs and offers this node
// sees, filtered; the summary per topic (every State's on a secretariat's node); posting a need
// or an offer; withdrawing an open one of one's own; the offers ranked for a need, and engaging
// one; the engagements, each stepped agreed → delivered → evaluated (or cancelled) as the
// lifecycle allows, with the secretariat's revision and, on a State's node, whether it waits
// for the secretariat's answer. The node checks every call again; its refusals are shown as
// the API types them.

type T = (key: string, values?: Record<string, string | number>) => string;

/** The catalogue's name of a topic, or the topic's id when the catalogue has none. */
function topicName(t: T, topic: string): string {
  const key = 'assistance.topic.' + topic;
  const name = t(key);
  return name === key ? topic : name;
}

function displayName(lang: Language, type: 'language' | 'region', code: string): string {
  try {
    const name = new Intl.DisplayNames([lang], { type }).of(type === 'region' ? code.toUpperCase() : code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

function formatDay(lang: Language, day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}

function Period({ from, to }: { from: string; to: string }) {
  const { lang } = useUi();
  return (
    <span className="nowrap">
      <time dateTime={from}>{formatDay(lang, from)}</time> – <time dateTime={to}>{formatDay(lang, to)}</time>
    </span>
  );
}

// A failed call: the node's typed error, or the failure of the call itself.
function Refused({ failure, testid }: { failure: unknown; testid: string }) {
  return (
    <RefusalNotice failure={failure} refusal={refusalOf(failure)} texts="assistance" failedKey="assistance.failed" testid={testid} />
  );
}

/** Runs the calls of one part of the screen: busy while one runs, its failure kept; a 401 ends the session. */
function useAction() {
  const { sessionEnded } = useUi();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(undefined);
  const run = useCallback(
    async (action: () => Promise<void>, onFailure?: (err: unknown) => void) => {
      setBusy(true);
      setFailure(undefined);
      try {
        await action();
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) sessionEnded();
        else {
          setFailure(err);
          onFailure?.(err);
        }
      } finally {
        setBusy(false);
      }
    },
    [sessionEnded],
  );
  return { busy, failure, run };
}

type SummaryData = Awaited<ReturnType<typeof api.assistanceSummary>>;

function Summary({ party, secretariat, data, error }: { party: string; secretariat: boolean; data?: SummaryData; error: string }) {
  const { t, lang } = useUi();
  const rows = (data?.topics ?? []).filter(
    (r) => (r.open_needs ?? 0) + (r.open_offers ?? 0) + (r.matched_needs ?? 0) + (r.engagements ?? 0) > 0,
  );
  const mean = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const order = ['agreed', 'delivered', 'evaluated', 'cancelled'];
  const rank = (state: string) => (order.includes(state) ? order.indexOf(state) : order.length);
  const byState = Object.entries(data?.engagements_by_state ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  const n = (v: number | undefined) => formatNumber(lang, v ?? 0);
  return (
    <section className="card assistance-part" aria-labelledby="assistance-summary-title" data-testid="assistance-summary">
      <h2 id="assistance-summary-title">
        {secretariat ? t('assistance.summary.secretariat') : t('assistance.summary.state', { party })}
      </h2>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && rows.length === 0 && <p>{t('assistance.summary.empty')}</p>}
      {rows.length > 0 && (
        <table data-testid="assistance-summary-table">
          <thead>
            <tr>
              <th scope="col">{t('assistance.topic')}</th>
              <th scope="col">{t('assistance.summary.openNeeds')}</th>
              <th scope="col">{t('assistance.summary.openOffers')}</th>
              <th scope="col">{t('assistance.summary.matchedNeeds')}</th>
              <th scope="col">{t('assistance.summary.engagements')}</th>
              <th scope="col">{t('assistance.summary.evaluations')}</th>
              <th scope="col">{t('assistance.summary.mean')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const m = meanScore(r.score_total, r.evaluations);
              return (
                <tr key={r.topic} data-testid={`summary-${r.topic}`}>
                  <th scope="row">{topicName(t, r.topic ?? '')}</th>
                  <td data-testid="open-needs">{n(r.open_needs)}</td>
                  <td data-testid="open-offers">{n(r.open_offers)}</td>
                  <td>{n(r.matched_needs)}</td>
                  <td data-testid="engagement-count">{n(r.engagements)}</td>
                  <td>{n(r.evaluations)}</td>
                  <td data-testid="mean-score">{m === undefined ? '—' : mean.format(m)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {byState.length > 0 && (
        <>
          <h3>{t('assistance.summary.byState')}</h3>
          <dl className="fields" data-testid="assistance-by-state">
            {byState.map(([state, count]) => (
              <div key={state}>
                <dt>{t('assistance.engagement.state.' + state)}</dt>
                <dd>{formatNumber(lang, count)}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </section>
  );
}

function PostForm({ topics, secretariat, onPosted }: { topics: string[]; secretariat: boolean; onPosted: () => void }) {
  const { t } = useUi();
  const [kind, setKind] = useState<'need' | 'offer'>('need');
  const [topic, setTopic] = useState('');
  const [languages, setLanguages] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [description, setDescription] = useState('');
  const [party, setParty] = useState('');
  const [posted, setPosted] = useState('');
  const { busy, failure, run } = useAction();
  const chosenTopic = topic || topics[0] || '';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setPosted('');
    void run(async () => {
      const p = await api.postAssistance(kind, {
        topic: chosenTopic,
        languages: parseLanguages(languages),
        from,
        to,
        description,
        ...(secretariat && party.trim() ? { party: party.trim().toUpperCase() } : {}),
      });
      setPosted(t('assistance.posted.' + p.kind));
      setDescription('');
      onPosted();
    });
  };
  return (
    <section className="card assistance-part" aria-labelledby="assistance-post-title">
      <h2 id="assistance-post-title">{t('assistance.post.title')}</h2>
      <p>{t('assistance.post.hint')}</p>
      <form className="form assistance-form" onSubmit={submit} data-testid="assistance-post">
        <label className="field">
          {t('assistance.kind')}
          <select value={kind} onChange={(e) => setKind(e.target.value === 'offer' ? 'offer' : 'need')}>
            <option value="need">{t('assistance.kind.need')}</option>
            <option value="offer">{t('assistance.kind.offer')}</option>
          </select>
        </label>
        <label className="field">
          {t('assistance.topic')}
          <select value={chosenTopic} onChange={(e) => setTopic(e.target.value)} data-testid="post-topic">
            {topics.map((x) => (
              <option key={x} value={x}>
                {topicName(t, x)}
              </option>
            ))}
          </select>
        </label>
        <div className="field">
          <label htmlFor="assistance-languages">{t('assistance.languages')}</label>
          <input
            id="assistance-languages"
            value={languages}
            onChange={(e) => setLanguages(e.target.value)}
            aria-describedby="assistance-languages-hint"
            autoComplete="off"
          />
          <small id="assistance-languages-hint">{t('assistance.languagesHint')}</small>
        </div>
        <div className="dates">
          <label className="field">
            {t('assistance.from')}
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </label>
          <label className="field">
            {t('assistance.to')}
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </label>
        </div>
        {secretariat && (
          <label className="field">
            {t('assistance.party')}
            <input value={party} onChange={(e) => setParty(e.target.value)} size={4} autoComplete="off" />
          </label>
        )}
        <label className="field">
          {t('assistance.description')}
          <textarea rows={3} value={description} dir="auto" onChange={(e) => setDescription(e.target.value)} />
        </label>
        <div className="buttons">
          <button type="submit" disabled={busy || !chosenTopic}>
            {t(kind === 'need' ? 'assistance.post.need' : 'assistance.post.offer')}
          </button>
        </div>
        {posted && (
          <p role="status" className="ok" data-testid="assistance-posted">
            {posted}
          </p>
        )}
        {failure !== undefined && <Refused failure={failure} testid="assistance-post-error" />}
      </form>
    </section>
  );
}

function Withdraw({ posting, onDone }: { posting: Posting; onDone: () => void }) {
  const { t } = useUi();
  const [asking, setAsking] = useState(false);
  const { busy, failure, run } = useAction();
  if (!asking) {
    return (
      <>
        <button type="button" className="secondary" onClick={() => setAsking(true)}>
          {t('assistance.withdraw')}
        </button>
        {failure !== undefined && <Refused failure={failure} testid="assistance-withdraw-error" />}
      </>
    );
  }
  return (
    <div className="confirm-box">
      <p className="confirm">{t('assistance.withdrawConfirm')}</p>
      <div className="buttons">
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await api.withdrawAssistance(posting.id);
              setAsking(false);
              onDone();
            })
          }
        >
          {t('assistance.withdrawYes')}
        </button>
        <button type="button" onClick={() => setAsking(false)}>
          {t('assistance.withdrawNo')}
        </button>
      </div>
      {failure !== undefined && <Refused failure={failure} testid="assistance-withdraw-error" />}
    </div>
  );
}

function Postings({
  filter,
  setFilter,
  topics,
  postings,
  party,
  secretariat,
  manages,
  shownNeed,
  showMatches,
  onChanged,
}: {
  filter: PostingFilter;
  setFilter: (f: PostingFilter) => void;
  topics: string[];
  postings: Posting[] | undefined;
  party: string;
  secretariat: boolean;
  manages: boolean;
  shownNeed: string;
  showMatches: (p: Posting) => void;
  onChanged: () => void;
}) {
  const { t, lang } = useUi();
  return (
    <section className="assistance-part" aria-labelledby="assistance-postings-title">
      <h2 id="assistance-postings-title">{t('assistance.postings')}</h2>
      <div className="filters" data-testid="assistance-filters">
        <label>
          {t('assistance.kind')}{' '}
          <select
            value={filter.kind}
            onChange={(e) => setFilter({ ...filter, kind: e.target.value as PostingFilter['kind'] })}
          >
            <option value="any">{t('assistance.kind.any')}</option>
            <option value="need">{t('assistance.kind.need')}</option>
            <option value="offer">{t('assistance.kind.offer')}</option>
          </select>
        </label>
        <label>
          {t('assistance.status')}{' '}
          <select
            value={filter.status}
            onChange={(e) => setFilter({ ...filter, status: e.target.value as PostingFilter['status'] })}
          >
            <option value="any">{t('assistance.status.any')}</option>
            <option value="open">{t('assistance.status.open')}</option>
            <option value="matched">{t('assistance.status.matched')}</option>
            <option value="withdrawn">{t('assistance.status.withdrawn')}</option>
          </select>
        </label>
        <label>
          {t('assistance.topic')}{' '}
          <select value={filter.topic} onChange={(e) => setFilter({ ...filter, topic: e.target.value })}>
            <option value="any">{t('assistance.topic.any')}</option>
            {topics.map((x) => (
              <option key={x} value={x}>
                {topicName(t, x)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {postings && postings.length === 0 && <p data-testid="assistance-postings-none">{t('assistance.postings.none')}</p>}
      {postings && postings.length > 0 && (
        <table data-testid="assistance-postings">
          <thead>
            <tr>
              <th scope="col">{t('assistance.kind')}</th>
              <th scope="col">{t('assistance.partyColumn')}</th>
              <th scope="col">{t('assistance.topic')}</th>
              <th scope="col">{t('assistance.languages')}</th>
              <th scope="col">{t('assistance.period')}</th>
              <th scope="col">{t('assistance.status')}</th>
              <th scope="col">{t('assistance.description')}</th>
              <th scope="col">{t('assistance.cameFrom')}</th>
              <th scope="col">{t('assistance.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {postings.map((p) => (
              <tr
                key={p.id}
                data-testid={`posting-${p.id}`}
                data-kind={p.kind}
                data-status={p.status}
                aria-current={p.id === shownNeed ? 'true' : undefined}
              >
                <td>{t('assistance.kind.' + p.kind)}</td>
                <td>{displayName(lang, 'region', p.party)}</td>
                <td>{topicName(t, p.topic)}</td>
                <td>{p.languages.map((l) => displayName(lang, 'language', l)).join(', ')}</td>
                <td>
                  <Period from={p.from} to={p.to} />
                </td>
                <td data-testid="posting-status">{t('assistance.status.' + p.status)}</td>
                <td dir="auto" className="description">
                  {p.description}
                </td>
                <td>{p.node || t('assistance.here')}</td>
                <td>
                  <div className="buttons">
                    {p.kind === 'need' && (
                      <button type="button" onClick={() => showMatches(p)}>
                        {t('assistance.matches')}
                      </button>
                    )}
                    {manages && canWithdraw(p, party, secretariat) && <Withdraw posting={p} onDone={onChanged} />}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Reasons({ need, c }: { need: Posting; c: Candidate }) {
  const { t, lang } = useUi();
  const parts = scoreParts(c);
  const lines: ReactNode[] = [
    t('assistance.reason.topic', { topic: topicName(t, need.topic) }),
    c.shared_languages.length > 0
      ? t('assistance.reason.languages', {
          languages: c.shared_languages.map((l) => displayName(lang, 'language', l)).join(', '),
        })
      : t('assistance.reason.noLanguage'),
    c.overlap_days > 0
      ? t('assistance.reason.overlap', {
          days: c.overlap_days,
          total: periodDays(need.from, need.to),
          points: String(parts.period),
        })
      : t('assistance.reason.noOverlap'),
  ];
  return (
    <ul className="reasons" data-testid="candidate-reasons">
      {lines.map((line, i) => (
        <li key={i}>{line}</li>
      ))}
    </ul>
  );
}

function Matches({
  need,
  manages,
  round,
  onClose,
  onEngaged,
}: {
  need: Posting;
  manages: boolean;
  /** Changes after every change on the screen, so the candidates are read again. */
  round: number;
  onClose: () => void;
  onEngaged: () => void;
}) {
  const { t, lang } = useUi();
  const load = useCallback(
    () => api.assistanceMatches(need.id).then((m) => ({ ...m, round })),
    [need.id, round],
  );
  const { data, error } = useLoad(load);
  const { busy, failure, run } = useAction();
  const [engaged, setEngaged] = useState('');
  const candidates = data?.candidates ?? [];
  return (
    <section className="card assistance-part" aria-labelledby="assistance-matches-title" data-testid="assistance-matches">
      <h2 id="assistance-matches-title">
        {t('assistance.matches.title', {
          topic: topicName(t, need.topic),
          party: displayName(lang, 'region', need.party),
        })}
      </h2>
      <p>
        <Period from={need.from} to={need.to} />
      </p>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && candidates.length === 0 && <p data-testid="assistance-matches-none">{t('assistance.matches.none')}</p>}
      {candidates.length > 0 && (
        <ol className="candidates">
          {candidates.map((c) => (
            <li key={c.offer.id} data-testid={`candidate-${c.offer.id}`} data-score={c.score}>
              <h3>
                {displayName(lang, 'region', c.offer.party)}: {t('assistance.matches.score', { score: String(c.score) })}
              </h3>
              <p>
                {c.offer.languages.map((l) => displayName(lang, 'language', l)).join(', ')} ·{' '}
                <Period from={c.offer.from} to={c.offer.to} />
              </p>
              <p dir="auto" className="description">
                {c.offer.description}
              </p>
              <Reasons need={need} c={c} />
              {manages && need.status === 'open' && c.offer.status === 'open' && (
                <button
                  type="button"
                  disabled={busy}
                  onClick={() =>
                    void run(async () => {
                      const e = await api.engage(need.id, c.offer.id);
                      setEngaged(
                        t('assistance.engaged', {
                          beneficiary: displayName(lang, 'region', e.beneficiary),
                          provider: displayName(lang, 'region', e.provider),
                        }),
                      );
                      onEngaged();
                    })
                  }
                >
                  {t('assistance.engage')}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      {engaged && (
        <p role="status" className="ok" data-testid="assistance-engaged">
          {engaged}
        </p>
      )}
      {failure !== undefined && <Refused failure={failure} testid="assistance-engage-error" />}
      <button type="button" onClick={onClose}>
        {t('assistance.matches.close')}
      </button>
    </section>
  );
}

function EngagementCard({
  e,
  manages,
  onStepped,
  onWaiting,
}: {
  e: Engagement;
  manages: boolean;
  onStepped: (after: Engagement) => void;
  onWaiting: () => void;
}) {
  const { t, lang } = useUi();
  const waits = e.awaiting; // the node's word: a State's step not yet answered by the secretariat
  const [score, setScore] = useState('5');
  const [comment, setComment] = useState('');
  const [reason, setReason] = useState('');
  const { busy, failure, run } = useAction();
  const reached = stageReached(e.state);
  const steps = manages && !waits ? stepsFrom(e.state) : [];
  const take = (step: Step) =>
    void run(
      async () => {
        const after = await api.stepEngagement(e.id, {
          step,
          ...(step === 'evaluate' ? { score: Number(score), ...(comment.trim() ? { comment: comment.trim() } : {}) } : {}),
          ...(step === 'cancel' ? { comment: reason.trim() } : {}),
        });
        setComment('');
        setReason('');
        onStepped(after);
      },
      (err) => {
        if (isAwaitingRefusal(err)) onWaiting();
      },
    );
  const titleId = `engagement-${e.id}-title`;
  return (
    <li
      className="card engagement"
      data-testid={`engagement-${e.id}`}
      data-state={e.state}
      data-revision={e.revision}
      data-awaiting={waits ? 'true' : 'false'}
    >
      <h3 id={titleId}>
        {t('assistance.engagement.title', {
          topic: topicName(t, e.topic),
          provider: displayName(lang, 'region', e.provider),
          beneficiary: displayName(lang, 'region', e.beneficiary),
        })}
      </h3>
      <ol className="stages" aria-label={t('assistance.engagement.stages')}>
        {stages.map((s, i) => (
          <li
            key={s}
            className={i <= reached ? 'reached' : undefined}
            aria-current={i === reached ? 'step' : undefined}
          >
            {t('assistance.engagement.state.' + s)}
          </li>
        ))}
      </ol>
      <dl className="fields">
        <div>
          <dt>{t('assistance.engagement.state')}</dt>
          <dd data-testid="engagement-state">{t('assistance.engagement.state.' + e.state)}</dd>
        </div>
        <div>
          <dt>{t('assistance.engagement.revision')}</dt>
          <dd data-testid="engagement-revision">
            {e.revision > 0 ? String(e.revision) : t('assistance.engagement.local')}
          </dd>
        </div>
        <div>
          <dt>{t('assistance.engagement.updated')}</dt>
          <dd>{t('assistance.engagement.updatedBy', { time: formatDateTime(lang, e.updated), who: e.updated_by })}</dd>
        </div>
        {e.evaluation && (
          <div>
            <dt>{t('assistance.engagement.evaluation')}</dt>
            <dd data-testid="engagement-evaluation">
              {t('assistance.engagement.evaluationValue', { score: String(e.evaluation.score ?? '') })}
              {e.evaluation.comment ? (
                <>
                  <br />
                  <span dir="auto">{e.evaluation.comment}</span>
                </>
              ) : null}
            </dd>
          </div>
        )}
        {e.state === 'cancelled' && (
          <div>
            <dt>{t('assistance.step.reason')}</dt>
            <dd dir="auto" data-testid="engagement-cancel-reason">
              {e.cancel_reason}
            </dd>
          </div>
        )}
      </dl>
      {waits && (
        <p role="status" className="notice" data-testid="engagement-awaiting">
          {t('assistance.engagement.awaiting')}
        </p>
      )}
      {steps.length > 0 && (
        <div className="engagement-steps">
          {steps.includes('deliver') && (
            <div className="buttons">
              <button type="button" disabled={busy} onClick={() => take('deliver')}>
                {t('assistance.step.deliver')}
              </button>
            </div>
          )}
          {steps.includes('evaluate') && (
            <fieldset>
              <legend>{t('assistance.step.evaluateTitle')}</legend>
              <label className="field">
                {t('assistance.step.score')}
                <select value={score} onChange={(ev) => setScore(ev.target.value)}>
                  {['1', '2', '3', '4', '5'].map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              </label>
              <label className="field">
                {t('assistance.step.comment')}
                <textarea rows={2} dir="auto" value={comment} onChange={(ev) => setComment(ev.target.value)} />
              </label>
              <button type="button" disabled={busy} onClick={() => take('evaluate')}>
                {t('assistance.step.evaluate')}
              </button>
            </fieldset>
          )}
          {steps.includes('cancel') && (
            <fieldset>
              <legend>{t('assistance.step.cancelTitle')}</legend>
              <label className="field">
                {t('assistance.step.reason')}
                <textarea rows={2} dir="auto" value={reason} onChange={(ev) => setReason(ev.target.value)} />
              </label>
              <button type="button" className="danger" disabled={busy} onClick={() => take('cancel')}>
                {t('assistance.step.cancel')}
              </button>
            </fieldset>
          )}
        </div>
      )}
      {failure !== undefined && <Refused failure={failure} testid="engagement-error" />}
    </li>
  );
}

export function Assistance() {
  const { t, lang, me } = useUi();
  const manages = managesAssistance(me.roles);
  const [filter, setFilter] = useState<PostingFilter>(anyPosting);
  const [round, setRound] = useState(0);
  const [shown, setShown] = useState<Posting | null>(null);
  const [stepped, setStepped] = useState('');

  const topics = useLoad(useCallback(() => api.assistanceTopics(), []));
  const topicList = topics.data?.topics ?? [];
  const postings = useLoad(useCallback(() => api.assistancePostings(postingQuery(filter)), [filter]));
  const summary = useLoad(useCallback(() => api.assistanceSummary(), []));
  const engagements = useLoad(useCallback(() => api.engagements(), []));
  const party = postings.data?.party ?? '';
  const secretariat = postings.data?.secretariat ?? false;
  const list = engagements.data?.engagements;
  // The need whose matches are shown, as last read (its status changes when it is engaged).
  const need = shown ? (postings.data?.postings?.find((p) => p.id === shown.id) ?? shown) : null;

  const { reload: reloadPostings } = postings;
  const { reload: reloadSummary } = summary;
  const { reload: reloadEngagements } = engagements;
  const changed = useCallback(() => {
    setRound((r) => r + 1);
    reloadPostings();
    reloadSummary();
    reloadEngagements();
  }, [reloadPostings, reloadSummary, reloadEngagements]);
  const onStepped = (after: Engagement) => {
    setStepped(t('assistance.stepped', { state: t('assistance.engagement.state.' + after.state) }));
    changed();
  };
  const partyName = displayName(lang, 'region', party);

  return (
    <section aria-labelledby="assistance-title" data-testid="assistance">
      <h1 id="assistance-title">{t('assistance.title')}</h1>
      {postings.data && (
        <p data-testid="assistance-scope">
          {secretariat ? t('assistance.scope.secretariat') : t('assistance.scope.state', { party: partyName })}
        </p>
      )}
      {(topics.error || postings.error || engagements.error) && (
        <p role="alert">{t('error.load', { message: topics.error || postings.error || engagements.error })}</p>
      )}
      {postings.data && (
        <Summary party={partyName} secretariat={secretariat} data={summary.data} error={summary.error} />
      )}
      {manages && topicList.length > 0 && <PostForm topics={topicList} secretariat={secretariat} onPosted={changed} />}
      <Postings
        filter={filter}
        setFilter={setFilter}
        topics={topicList}
        postings={postings.data?.postings}
        party={party}
        secretariat={secretariat}
        manages={manages}
        shownNeed={need?.id ?? ''}
        showMatches={setShown}
        onChanged={changed}
      />
      {need && (
        <Matches
          key={need.id}
          need={need}
          manages={manages}
          round={round}
          onClose={() => setShown(null)}
          onEngaged={changed}
        />
      )}
      <section className="assistance-part" aria-labelledby="assistance-engagements-title">
        <h2 id="assistance-engagements-title">{t('assistance.engagements')}</h2>
        {stepped && (
          <p role="status" className="ok" data-testid="assistance-stepped">
            {stepped}
          </p>
        )}
        {list && list.length === 0 && <p data-testid="assistance-engagements-none">{t('assistance.engagements.none')}</p>}
        {list && list.length > 0 && (
          <ul className="engagements" data-testid="assistance-engagements">
            {list.map((e) => (
              <EngagementCard
                key={e.id}
                e={e}
                manages={manages}
                onStepped={onStepped}
                onWaiting={changed}
              />
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
