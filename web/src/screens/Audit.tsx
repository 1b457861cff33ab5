// The auditor's (data-protection officer's) screen: who read which case's personal data and
// when (the access records, never the content), each read proved in the browser against the
// node's signed audit log; any entry of the log checked from its index and its leaf; and the
// node's alerts (forks, non-delivery), told in the UI's language (alertText.ts); and the retention
// register: every evidence package with its retention end and any legal hold in force, metadata
// only (audit.read). The auditor has no case.* action, so no case content, no hold's reason and
// no evidence custody (case.read) are shown here.
import { type FormEvent, useCallback, useState } from 'react';

import { nodeAlertText } from '../alertText';
import { ApiError, api, type AccessRecord } from '../api/client';
import { useUi } from '../context';
import { canonicalJson } from '../evidence';
import { formatDateTime, formatNumber } from '../i18n';
import { ProofError, fromBase64, verifyTlogProof } from '../proof';
import { AlertSentence } from './AlertSentence';
import { useLoad } from './useLoad';

type Check = { state: 'idle' | 'running' | 'ok' | 'failed'; text: string };

/**
 * The audit leaf a read was recorded with, when the record holds all of it: a case read is
 * {"actor","case","event"} (libs/app case_service.cpp). An evidence read carries the file's hash
 * and time too, which the record does not list, so it cannot be rebuilt here.
 */
export function accessLeaf(record: AccessRecord): string | undefined {
  if (record.event !== 'case.read' || !record.actor || !record.case) return undefined;
  return canonicalJson({ actor: record.actor, case: record.case, event: record.event });
}

/** Checks entry `index` of this node's log holds `leaf`, signed by the node's directory key. */
async function proveEntry(index: number, leaf: string): Promise<{ index: bigint; size: bigint; origin: string }> {
  const [proofText, node] = await Promise.all([api.ledgerProof(index), api.node()]);
  const key = node.entry?.signing_key;
  if (!key) throw new ProofError('no_signature', `${node.node} has no directory entry`);
  const proof = await verifyTlogProof(proofText, new TextEncoder().encode(leaf), node.node, fromBase64(key));
  if (proof.index !== BigInt(index)) {
    throw new ProofError('index_out_of_range', `the proof is of entry ${proof.index}, not ${index}`);
  }
  return { index: proof.index, size: proof.checkpoint.size, origin: node.node };
}

function useProve(): [Check, (index: number, leaf: string) => Promise<void>] {
  const { t, lang, sessionEnded } = useUi();
  const [check, setCheck] = useState<Check>({ state: 'idle', text: '' });
  const run = useCallback(
    async (index: number, leaf: string) => {
      setCheck({ state: 'running', text: t('case.verifying') });
      try {
        const done = await proveEntry(index, leaf);
        setCheck({
          state: 'ok',
          text: t('case.verified', {
            index: formatNumber(lang, done.index),
            size: done.size,
            origin: done.origin,
          }),
        });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          sessionEnded();
          return;
        }
        const reason = err instanceof ProofError || err instanceof ApiError ? err.message : String(err);
        setCheck({ state: 'failed', text: t('case.notVerified', { reason }) });
      }
    },
    [t, lang, sessionEnded],
  );
  return [check, run];
}

function RecordRow({ record }: { record: AccessRecord }) {
  const { t, lang } = useUi();
  const [check, run] = useProve();
  const leaf = accessLeaf(record);
  const index = record.ledger_index ?? 0;
  return (
    <tr data-testid="access-record">
      <td>{formatDateTime(lang, record.at)}</td>
      <td>{record.actor}</td>
      <td>{t('audit.event.' + (record.event ?? ''))}</td>
      <td className="key" dir="ltr">
        {record.case}
      </td>
      <td className="key" dir="ltr">
        {record.object}
      </td>
      <td>{formatNumber(lang, index)}</td>
      <td className="proof">
        {leaf ? (
          <button
            type="button"
            onClick={() => run(index, leaf)}
            disabled={check.state === 'running'}
            aria-label={t('audit.verifyEntry', { index })}
          >
            {t('case.verify')}
          </button>
        ) : (
          <span>{t('audit.leafUnknown')}</span>
        )}
        {check.text && (
          <p role="status" className={check.state} data-testid="audit-proof-result">
            {check.text}
          </p>
        )}
      </td>
    </tr>
  );
}

function AccessRecords() {
  const { t } = useUi();
  const [caseId, setCaseId] = useState('');
  const [actor, setActor] = useState('');
  const [filter, setFilter] = useState<{ case?: string; actor?: string; before?: number }>({});
  const load = useCallback(() => api.accessRecords(filter), [filter]);
  const { data, error } = useLoad(load);
  const records = data?.records ?? [];

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({ case: caseId.trim() || undefined, actor: actor.trim() || undefined });
  };

  return (
    <section aria-labelledby="access-title" className="admin-part">
      <h2 id="access-title">{t('audit.access.title')}</h2>
      <p>{t('audit.access.intro')}</p>
      <form className="filters" onSubmit={apply}>
        <label>
          {t('audit.access.case')}{' '}
          <input value={caseId} onChange={(e) => setCaseId(e.target.value)} size={38} />
        </label>
        <label>
          {t('audit.access.actor')}{' '}
          <input
            value={actor}
            onChange={(e) => setActor(e.target.value)}
            placeholder="user:login"
            size={24}
            aria-describedby="actor-hint"
          />
        </label>
        <small id="actor-hint" className="sr-only">
          {t('audit.access.actorHint')}
        </small>
        <button type="submit">{t('audit.access.apply')}</button>
        {filter.before !== undefined && (
          <button type="button" onClick={() => setFilter({ ...filter, before: undefined })}>
            {t('audit.access.newest')}
          </button>
        )}
      </form>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && records.length === 0 && <p>{t('audit.access.none')}</p>}
      {records.length > 0 && (
        <table data-testid="access-records">
          <thead>
            <tr>
              <th scope="col">{t('case.at')}</th>
              <th scope="col">{t('case.actor')}</th>
              <th scope="col">{t('audit.access.event')}</th>
              <th scope="col">{t('audit.access.case')}</th>
              <th scope="col">{t('audit.access.object')}</th>
              <th scope="col">{t('audit.access.index')}</th>
              <th scope="col">{t('case.proof')}</th>
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <RecordRow key={r.ledger_index} record={r} />
            ))}
          </tbody>
        </table>
      )}
      {data?.next_before !== undefined && (
        <p>
          <button type="button" onClick={() => setFilter({ ...filter, before: data.next_before })}>
            {t('audit.access.older')}
          </button>
        </p>
      )}
    </section>
  );
}

// Any entry of the log: its index and its leaf as the auditor holds it (an export, a record).
function VerifyEntry() {
  const { t } = useUi();
  const [index, setIndex] = useState('');
  const [leaf, setLeaf] = useState('');
  const [check, run] = useProve();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!/^\d{1,15}$/.test(index.trim())) return;
    void run(Number(index.trim()), leaf);
  };
  return (
    <section aria-labelledby="verify-title" className="admin-part">
      <h2 id="verify-title">{t('audit.verify.title')}</h2>
      <form className="card form" onSubmit={submit}>
        <p>{t('audit.verify.intro')}</p>
        <label className="field">
          {t('audit.access.index')}
          <input
            value={index}
            required
            inputMode="numeric"
            pattern="[0-9]{1,15}"
            size={10}
            onChange={(e) => setIndex(e.target.value)}
          />
        </label>
        <label className="field">
          {t('audit.verify.leaf')}
          <textarea className="json" rows={3} required value={leaf} onChange={(e) => setLeaf(e.target.value)} />
        </label>
        <p>
          <button type="submit" disabled={check.state === 'running'}>
            {t('case.verify')}
          </button>
        </p>
        {check.text && (
          <p role="status" className={check.state} data-testid="verify-entry-result">
            {check.text}
          </p>
        )}
      </form>
    </section>
  );
}

function Alerts() {
  const { t, lang } = useUi();
  const load = useCallback(() => api.alerts(), []);
  const { data, error } = useLoad(load);
  const alerts = data?.alerts ?? [];
  return (
    <section aria-labelledby="alerts-title" className="admin-part">
      <h2 id="alerts-title">{t('audit.alerts.title')}</h2>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && alerts.length === 0 && <p>{t('audit.alerts.none')}</p>}
      {alerts.length > 0 && (
        <ul className="alerts" data-testid="audit-alerts">
          {alerts.map((a) => (
            <li key={a.seq}>
              <strong>{t('audit.alerts.' + a.kind)}</strong> — {a.peer} ·{' '}
              {formatDateTime(lang, new Date(a.created_ms).toISOString())}
              <div>
                <AlertSentence said={nodeAlertText(a, lang)} testId="audit-alert-text" />
              </div>
              <details>
                <summary>{t('audit.alerts.evidence')}</summary>
                <pre className="json evidence">{a.evidence}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Retention() {
  const { t, lang } = useUi();
  const [view, setView] = useState<'kept' | 'shredded'>('kept');
  const load = useCallback(() => api.retention(view), [view]);
  const { data, error } = useLoad(load);
  const packages = data?.packages ?? [];
  return (
    <section aria-labelledby="retention-title" className="admin-part">
      <h2 id="retention-title">{t('audit.retention.title')}</h2>
      <p>{t('audit.retention.intro')}</p>
      <fieldset className="filters">
        <legend>{t('audit.retention.view')}</legend>
        {(['kept', 'shredded'] as const).map((v) => (
          <label key={v}>
            <input type="radio" name="retention-view" checked={view === v} onChange={() => setView(v)} />{' '}
            {t('audit.retention.' + v)}
          </label>
        ))}
      </fieldset>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && packages.length === 0 && <p>{t('audit.retention.none')}</p>}
      {packages.length > 0 && (
        <table data-testid="retention">
          <thead>
            <tr>
              <th scope="col">{t('audit.retention.package')}</th>
              <th scope="col">{t('audit.retention.case')}</th>
              <th scope="col">{t('audit.retention.route')}</th>
              <th scope="col">{t('audit.retention.state')}</th>
              <th scope="col">{t('audit.retention.created')}</th>
              <th scope="col">{t(view === 'kept' ? 'audit.retention.end' : 'audit.retention.shreddedAt')}</th>
              <th scope="col">{t('audit.retention.hold')}</th>
              <th scope="col">{t('audit.retention.size')}</th>
            </tr>
          </thead>
          <tbody>
            {packages.map((p) => (
              <tr key={p.package}>
                <td>
                  <code>{p.package}</code>
                </td>
                <td>
                  <code>{p.case}</code>
                </td>
                <td>
                  {p.from} → {p.to}
                </td>
                <td>{t('evidence.state.' + p.state)}</td>
                <td>{formatDateTime(lang, p.created)}</td>
                <td>
                  {formatDateTime(lang, view === 'kept' ? p.retention_end : p.shredded)}
                  {p.retention_rule && (
                    <>
                      <br />
                      <small>{t('audit.retention.rule', { rule: p.retention_rule })}</small>
                    </>
                  )}
                </td>
                <td>
                  {p.hold_since ? t('audit.retention.holdSince', { date: formatDateTime(lang, p.hold_since) }) : '—'}
                </td>
                <td>{t('evidence.filesBytes', { count: p.files, bytes: p.bytes })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Audit() {
  const { t } = useUi();
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t('audit.title')}</h1>
      <p>{t('audit.intro')}</p>
      <AccessRecords />
      <VerifyEntry />
      <Alerts />
      <Retention />
    </section>
  );
}
