import { useCallback, useState } from 'react';

import { ApiError, api, type CaseView, failureOf, type TimelineEvent } from '../api/client';
import { useUi } from '../context';
import { formatDateTime, formatNumber, isLanguage } from '../i18n';
import { nameOf } from '../names';
import { ProofError, fromBase64, verifyTlogProof } from '../proof';
import { Evidence } from './Evidence';
import { Hearing } from './Hearing';
import { Preview, type Request } from './Preview';
import { type Basis, type Ground, useBasis } from './useBasis';
import { useLoad } from './useLoad';

type Check = { state: 'idle' | 'running' | 'ok' | 'failed'; text: string };

// The receiver's proof of a message this node sent in the case (the request, or a step of this
// side): the peer's signed checkpoint must carry the signature of the peer's key as the
// directory lists it, and the leaf it names must lead to that checkpoint's root.
function ProofCheck({ view, event }: { view: CaseView; event: TimelineEvent }) {
  const { t, lang } = useUi();
  const [check, setCheck] = useState<Check>({ state: 'idle', text: '' });

  const run = async () => {
    setCheck({ state: 'running', text: t('case.verifying') });
    try {
      const [message, node] = await Promise.all([
        api.message(event.message_id!, 'outbox'),
        api.node(),
      ]);
      if (!message.receiver_proof || !message.receiver_leaf) {
        setCheck({ state: 'failed', text: t('case.noProof') });
        return;
      }
      const peer = node.peers.find((p) => p.id === view.case?.peer_node);
      if (!peer) throw new ProofError('no_signature', `${view.case?.peer_node} is not in the directory`);
      const proof = await verifyTlogProof(
        message.receiver_proof,
        fromBase64(message.receiver_leaf),
        peer.id,
        fromBase64(peer.signing_key),
      );
      setCheck({
        state: 'ok',
        text: t('case.verified', {
          index: formatNumber(lang, proof.index),
          size: proof.checkpoint.size,
          origin: peer.id,
        }),
      });
    } catch (err) {
      const reason = err instanceof ProofError || err instanceof ApiError ? err.message : String(err);
      setCheck({ state: 'failed', text: t('case.notVerified', { reason }) });
    }
  };

  // A peer's step arrived in this node's inbox: its proof is in the peer's hands, not here.
  if (!event.message_id || event.actor?.startsWith('peer:')) return null;
  return (
    <div className="proof">
      <button type="button" onClick={run} disabled={check.state === 'running'}>
        {t('case.verify')}
      </button>
      {check.text && (
        <p role="status" className={check.state} data-testid="proof-result">
          {check.text}
        </p>
      )}
    </div>
  );
}

// A request's fields as nested lists; every value keeps its own text direction (dir="auto"),
// so Latin text stays readable in the Arabic layout and the other way round.
function Value({ value }: { value: unknown }) {
  if (Array.isArray(value)) {
    return (
      <ol>
        {value.map((item, i) => (
          <li key={i}>
            <Value value={item} />
          </li>
        ))}
      </ol>
    );
  }
  if (value !== null && typeof value === 'object') {
    return (
      <dl className="nested">
        {Object.entries(value).map(([key, item]) => (
          <div key={key}>
            <dt dir="auto">{key}</dt>
            <dd>
              <Value value={item} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <span dir="auto">{String(value)}</span>;
}

function RequestFields({ request }: { request: Record<string, unknown> }) {
  return (
    <dl className="request">
      {Object.entries(request).map(([key, value]) => (
        <div key={key}>
          <dt dir="auto">{key}</dt>
          <dd>
            <Value value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

// An approver's action on a draft someone else wrote: approve (the node signs the approval with
// the approver's certified key and sends the request; it refuses self-approval too), or return
// it to the drafter with the reasons.
function Approve({ id, onDone }: { id: string; onDone: () => void }) {
  const { t, sessionEnded } = useUi();
  const [failure, setFailure] = useState('');
  const [reasons, setReasons] = useState('');
  const run = async (action: () => Promise<unknown>) => {
    setFailure('');
    try {
      await action();
      onDone();
    } catch (err) {
      setFailure(failureOf(err, sessionEnded));
    }
  };
  const giveBack = () => {
    if (!reasons.trim()) {
      setFailure(t('case.reasonRequired'));
      return;
    }
    void run(() => api.returnDraft(id, reasons.trim()));
  };
  return (
    <div className="card approve">
      <p>{t('case.approveHint')}</p>
      <button type="button" onClick={() => run(() => api.approve(id))}>
        {t('case.approve')}
      </button>
      <p>{t('case.returnHint')}</p>
      <label>
        {t('case.returnReason')}
        <textarea rows={2} value={reasons} dir="auto" onChange={(e) => setReasons(e.target.value)} />
      </label>
      <button type="button" onClick={giveBack}>
        {t('case.return')}
      </button>
      {failure && <p role="alert">{failure}</p>}
    </div>
  );
}

// A draft as each side will read it, before it is approved: in the reader's language and in the
// receiver's (the peer's first UN language in the directory), as the node renders it.
function AsRead({ view }: { view: CaseView }) {
  const { t, lang } = useUi();
  const load = useCallback(() => api.node(), []);
  const { data: node } = useLoad(load);
  const spoken = node?.peers.find((p) => p.id === view.case?.peer_node)?.languages ?? [];
  const theirs = spoken.find((l) => isLanguage(l));
  if (!view.request || !node) return null;
  const request = view.request as Request;
  return (
    <section aria-labelledby="as-read" data-testid="as-read">
      <h2 id="as-read">{t('case.asRead')}</h2>
      <div className="previews">
        <Preview request={request} lang={lang} title={t('compose.previewMine')} />
        {theirs && isLanguage(theirs) && theirs !== lang && (
          <Preview request={request} lang={theirs} title={t('compose.previewTheirs')} />
        )}
      </div>
    </section>
  );
}

// A draft of this node, or one an approver returned: its drafter's unit revises it in the form.
function Revise({ view }: { view: CaseView }) {
  const { t } = useUi();
  const c = view.case;
  const last = (view.timeline ?? []).filter((e) => e.transition === 'return').at(-1);
  return (
    <div className="card revise" data-testid="revise">
      {c?.state === 'returned' && (
        <>
          <p>{t('case.reviseHint')}</p>
          {last?.reasons && (
            <p className="reasons" dir="auto" data-testid="returned-reasons">
              {last.reasons}
            </p>
          )}
        </>
      )}
      <a className="button" href={`#/cases/${encodeURIComponent(c?.id ?? '')}/revise`}>
        {t('case.revise')}
      </a>
    </div>
  );
}

// Steps taken elsewhere: approving and returning (the approver's card), revising (the form),
// and a hearing's steps, which carry the hearing's details (the hearing's card, Hearing.tsx).
const takenElsewhere = new Set(['approve', 'return', 'revise', 'propose_hearing', 'accept_hearing', 'record_hearing']);

// The grounds a refusal or postponement may name under the case's basis, with their articles
// and how each citation was verified.
function Grounds({
  grounds,
  lawCite,
  chosen,
  setChosen,
}: {
  grounds: Ground[];
  lawCite: string;
  chosen: string[];
  setChosen: (next: string[]) => void;
}) {
  const { t } = useUi();
  return (
    <fieldset className="grounds" data-testid="grounds">
      <legend>{t('case.grounds')}</legend>
      <p className="cites">{t('case.groundsHint')}</p>
      {grounds.map((g) => (
        <label key={g.id} className="ground">
          <input
            type="checkbox"
            checked={chosen.includes(g.id ?? '')}
            onChange={(e) =>
              setChosen(e.target.checked ? [...chosen, g.id ?? ''] : chosen.filter((x) => x !== g.id))
            }
          />{' '}
          <span dir="auto">{g.text}</span>{' '}
          <span className="cites">
            ({(g.cites ?? []).map((c) => `${c.ref} — ${t('compose.status.' + (c.verification ?? 'unverified'))}`).join('; ')})
          </span>
        </label>
      ))}
      {lawCite && <p className="cites">{t('case.refusalLaw', { cite: lawCite })}</p>}
    </fieldset>
  );
}

// The lifecycle steps the node says this side may take now (`steps` of the case view). A step
// that needs a reason asks for it; a refusal or postponement names grounds of the case's basis.
function Steps({ view, basis, onDone }: { view: CaseView; basis: Basis | undefined; onDone: () => void }) {
  const { t, sessionEnded } = useUi();
  const [reason, setReason] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [failure, setFailure] = useState('');
  const all = view.steps ?? [];
  const offered = all.filter((s) => !takenElsewhere.has(s.transition ?? ''));
  if (offered.length === 0) return null;
  const grounds = basis?.refusal_grounds ?? [];
  const take = async (transition: string, needsReason: boolean, needsGrounds: boolean) => {
    setFailure('');
    if (needsGrounds && chosen.length === 0) {
      setFailure(t('case.groundsRequired'));
      return;
    }
    if (needsReason && !reason.trim()) {
      setFailure(t('case.reasonRequired'));
      return;
    }
    try {
      await api.step(view.case?.id ?? '', transition, reason.trim() || undefined, needsGrounds ? chosen : undefined);
      setReason('');
      setChosen([]);
      onDone();
    } catch (err) {
      setFailure(failureOf(err, sessionEnded));
    }
  };
  return (
    <div className="card steps" data-testid="steps">
      <h2>{t('case.steps')}</h2>
      <label>
        {t('case.reason')}
        <textarea rows={2} value={reason} dir="auto" onChange={(e) => setReason(e.target.value)} />
      </label>
      {offered.some((s) => s.grounds) && (
        <Grounds grounds={grounds} lawCite={basis?.refusal_law_cite ?? ''} chosen={chosen} setChosen={setChosen} />
      )}
      <div className="buttons">
        {offered.map((s) => (
          <button
            key={s.transition}
            type="button"
            onClick={() => take(s.transition ?? '', Boolean(s.reasons), Boolean(s.grounds))}
          >
            {nameOf(t, 'step', s.transition)}
            {s.reasons || s.grounds ? ' *' : ''}
          </button>
        ))}
      </div>
      {failure && <p role="alert">{failure}</p>}
    </div>
  );
}

export function CaseDetail({ id }: { id: string }) {
  const { t, lang, me } = useUi();
  const load = useCallback(() => api.case(id, lang), [id, lang]);
  const { data: view, error, reload } = useLoad(load);
  const basis = useBasis(view);
  const c = view?.case;
  const canApprove =
    c?.state === 'draft' && me.roles.includes('approver') && c.drafted_by !== me.login && c.drafted_by !== me.actor;
  const canRevise =
    c?.direction === 'out' && (c.state === 'draft' || c.state === 'returned') && me.roles.includes('officer');
  const groundText = (id: string) => basis?.refusal_grounds?.find((g) => g.id === id)?.text ?? id;

  return (
    <section aria-labelledby="case-title">
      <p>
        <a href="#/cases">{t('case.back')}</a>
      </p>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {view && c && (
        <>
          <h1 id="case-title">{t('case.title', { number: c.number ?? '' })}</h1>
          <dl className="fields">
            <div>
              <dt>{t('cases.state')}</dt>
              <dd data-testid="case-state">{nameOf(t, 'state', c.state)}</dd>
            </div>
            <div>
              <dt>{t('cases.type')}</dt>
              <dd>{c.request_type}</dd>
            </div>
            <div>
              <dt>{t('case.instrument')}</dt>
              <dd>{c.instrument}</dd>
            </div>
            <div>
              <dt>{t('case.parties')}</dt>
              <dd>
                {c.requesting_party} → {c.requested_party}
              </dd>
            </div>
            <div>
              <dt>{t('cases.peer')}</dt>
              <dd>{c.peer_node}</dd>
            </div>
            <div>
              <dt>{t('case.offence')}</dt>
              <dd>{c.offence}</dd>
            </div>
            <div>
              <dt>{t('cases.priority')}</dt>
              <dd>{c.priority === 'emergency' ? t('cases.emergency') : t('cases.normal')}</dd>
            </div>
            {view.approval && (
              <div>
                <dt>{t('case.approval')}</dt>
                <dd className={view.approval.alert ? 'error' : undefined} data-testid="approval">
                  {view.approval.alert && <strong>{t('case.approvalAlert')}: </strong>}
                  {view.approval.status} — {view.approval.description}
                </dd>
              </div>
            )}
          </dl>
          {canApprove && <Approve id={c.id ?? ''} onDone={reload} />}
          {c.direction === 'out' && (c.state === 'draft' || c.state === 'returned') && <AsRead view={view} />}
          {canRevise && <Revise view={view} />}
          <Steps view={view} basis={basis} onDone={reload} />
          {c.request_type === 'video_hearing' && <Hearing view={view} onDone={reload} />}
          <h2>{t('case.timeline')}</h2>
          <table data-testid="timeline">
            <thead>
              <tr>
                <th scope="col">{t('case.at')}</th>
                <th scope="col">{t('case.actor')}</th>
                <th scope="col">{t('case.step')}</th>
                <th scope="col">{t('case.proof')}</th>
              </tr>
            </thead>
            <tbody>
              {(view.timeline ?? []).map((event, i) => (
                <tr key={i}>
                  <td>{formatDateTime(lang, event.at)}</td>
                  <td>{event.actor}</td>
                  <td>
                    {nameOf(t, 'step', event.transition)}: {nameOf(t, 'state', event.from_state)} →{' '}
                    {nameOf(t, 'state', event.to_state)}
                    {(event.grounds ?? []).length > 0 && (
                      <ul className="grounds-named">
                        {(event.grounds ?? []).map((g) => (
                          <li key={g} dir="auto">
                            {groundText(g)}
                          </li>
                        ))}
                      </ul>
                    )}
                    {event.reasons && (
                      <div className="reasons" dir="auto">
                        {event.reasons}
                      </div>
                    )}
                  </td>
                  <td>
                    <ProofCheck view={view} event={event} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {view.request && (
            <>
              <h2>{t('case.request')}</h2>
              <RequestFields request={view.request as Record<string, unknown>} />
            </>
          )}
          <Evidence caseId={c.id ?? id} />
        </>
      )}
    </section>
  );
}
