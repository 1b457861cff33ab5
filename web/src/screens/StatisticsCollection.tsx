import { type FormEvent, useCallback, useState } from 'react';

import {
  type AggregateDocument,
  AggregateError,
  type AggregatePublication,
  type TableName,
  type TotalRow,
  kTables,
  keyOf,
  orderedFigures,
  parseAggregatePublication,
  periodsOf,
  statsRefusalOf,
  verifyAggregatePublication,
} from '../aggregate';
import { ApiError, api, failureOf } from '../api/client';
import { useUi } from '../context';
import { formatDateTime, formatNumber } from '../i18n';
import { nameOf } from '../names';
import { type DirectoryNode, PublicationError, verifyPublication } from '../publication';
import { BarChart, type Row } from './BarChart';
import { RefusalNotice } from './Refusal';
import { useLoad } from './useLoad';

// Statistics collected by a secretariat (docs/statistics.md "Collection by a secretariat"). On a
// State's node that names a secretariat's node (`secretariat_node` of GET
// /api/v1/statistics/collected): **Submit to the secretariat** on each publication, and the
// node's typed refusal when it refuses; a node that names none says so instead. On a secretariat's
// node: the reports collected (each verified by the node on arrival: it keeps nothing else),
// publishing the total of a period, the totals published, and one opened: its inputs, each
// with how to check it, the summed figures as charts and tables, and its check in the browser
// (aggregate.ts).

type Period = { from: string; to: string };

function Refused({ failure, testid }: { failure: unknown; testid: string }) {
  return (
    <RefusalNotice failure={failure} refusal={statsRefusalOf(failure)} texts="statsc" failedKey="error.load" testid={testid} />
  );
}

/** Whether this node is a secretariat's, and the secretariat's node it submits its reports to ("" when none), as GET /api/v1/statistics/collected says. */
export function useSecretariat(): { secretariat: boolean; node: string } | undefined {
  const load = useCallback(() => api.collected(), []);
  const data = useLoad(load).data;
  return data ? { secretariat: data.secretariat, node: data.secretariat_node } : undefined;
}

// **Submit to the secretariat** for one publication, and what the node answered.
export function SubmitPublication({ id, published }: { id: string; published: string }) {
  const { t, lang, sessionEnded } = useUi();
  const [state, setState] = useState<
    { kind: 'idle' } | { kind: 'busy' } | { kind: 'sent'; to: string; message: string } | { kind: 'failed'; failure: unknown }
  >({ kind: 'idle' });
  const submit = async () => {
    setState({ kind: 'busy' });
    try {
      const sent = await api.submitPublication(id);
      setState({ kind: 'sent', to: sent.to, message: sent.message });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        failureOf(err, sessionEnded);
        return;
      }
      setState({ kind: 'failed', failure: err });
    }
  };
  return (
    <div className="submit">
      <button
        type="button"
        onClick={submit}
        disabled={state.kind === 'busy'}
        aria-label={t('statsc.submitLabel', { published: formatDateTime(lang, published) })}
        data-testid={`submit-${id}`}
      >
        {t('statsc.submit')}
      </button>
      {state.kind === 'sent' && (
        <p role="status" className="ok" data-testid={`submitted-${id}`} data-to={state.to}>
          {t('statsc.submitted', { to: state.to, message: state.message })}
        </p>
      )}
      {state.kind === 'failed' && <Refused failure={state.failure} testid={`submit-error-${id}`} />}
    </div>
  );
}

function PeriodText({ from, to }: Period) {
  const { lang } = useUi();
  return (
    <>
      {formatDateTime(lang, from)} – {formatDateTime(lang, to)}
    </>
  );
}

// The reports States' nodes sent this secretariat's node (GET /api/v1/statistics/collected).
function Collected({ reports }: { reports: CollectedReport[] }) {
  const { t, lang } = useUi();
  return (
    <section aria-labelledby="statsc-collected" className="stats-part">
      <h3 id="statsc-collected">{t('statsc.collected')}</h3>
      <p>{t('statsc.collectedIntro')}</p>
      {reports.length === 0 ? (
        <p data-testid="statsc-collected-none">{t('statsc.noCollected')}</p>
      ) : (
        <table data-testid="statsc-collected">
          <thead>
            <tr>
              <th scope="col">{t('stats.pub.node')}</th>
              <th scope="col">{t('statsc.party')}</th>
              <th scope="col">{t('stats.period')}</th>
              <th scope="col">{t('stats.published')}</th>
              <th scope="col">{t('statsc.received')}</th>
              <th scope="col">{t('statsc.verification')}</th>
            </tr>
          </thead>
          <tbody>
            {reports.map((r) => (
              <tr key={`${r.node}/${r.publication}`} data-testid={`collected-${r.node}`} data-publication={r.publication}>
                <td dir="ltr">{r.node}</td>
                <td>{r.party}</td>
                <td>
                  <PeriodText from={r.from} to={r.to} />
                </td>
                <td>{formatDateTime(lang, r.published)}</td>
                <td>{formatDateTime(lang, r.received)}</td>
                <td className="ok">{t('statsc.verifiedOnArrival')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type CollectedReport = NonNullable<Awaited<ReturnType<typeof api.collected>>['reports']>[number];

// Publishing the total of a period the collected reports cover, after a confirmation.
function PublishTotal({ periods, onPublished }: { periods: Period[]; onPublished: (id: string) => void }) {
  const { t, lang, sessionEnded } = useUi();
  const [chosen, setChosen] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const [state, setState] = useState<
    { kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; id: string } | { kind: 'failed'; failure: unknown }
  >({ kind: 'idle' });
  const period = periods[Math.min(chosen, periods.length - 1)];
  const publish = async () => {
    if (!period) return;
    setState({ kind: 'busy' });
    try {
      const document = parseAggregatePublication(await api.publishAggregate(period.from, period.to));
      setConfirming(false);
      setState({ kind: 'done', id: document.id });
      onPublished(document.id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        failureOf(err, sessionEnded);
        return;
      }
      setConfirming(false);
      setState({ kind: 'failed', failure: err });
    }
  };
  const start = (e: FormEvent) => {
    e.preventDefault();
    setConfirming(true);
  };
  return (
    <section aria-labelledby="statsc-publish-title" className="card stats-part" data-testid="statsc-publish">
      <h3 id="statsc-publish-title">{t('statsc.publish.title')}</h3>
      <p>{t('statsc.publish.intro')}</p>
      {periods.length === 0 ? (
        <p>{t('statsc.publish.noPeriod')}</p>
      ) : (
        <form className="filters" onSubmit={start}>
          <label>
            {t('stats.period')}{' '}
            <select value={chosen} onChange={(e) => setChosen(Number(e.target.value))} disabled={confirming}>
              {periods.map((p, i) => (
                <option key={`${p.from}/${p.to}`} value={i} data-from={p.from}>
                  {formatDateTime(lang, p.from)} – {formatDateTime(lang, p.to)}
                </option>
              ))}
            </select>
          </label>
          {!confirming && <button type="submit">{t('statsc.publish.start')}</button>}
        </form>
      )}
      {confirming && period && (
        <div role="group" aria-labelledby="statsc-publish-confirm">
          <p id="statsc-publish-confirm" className="confirm">
            {t('statsc.publish.confirm', { from: formatDateTime(lang, period.from), to: formatDateTime(lang, period.to) })}
          </p>
          <button type="button" className="danger" onClick={publish} disabled={state.kind === 'busy'}>
            {t('statsc.publish.yes')}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)} disabled={state.kind === 'busy'}>
            {t('stats.publish.cancel')}
          </button>
        </div>
      )}
      {state.kind === 'done' && (
        <p role="status" className="ok" data-testid="statsc-publish-result">
          {t('statsc.publish.done', { id: state.id })}
        </p>
      )}
      {state.kind === 'failed' && <Refused failure={state.failure} testid="statsc-publish-error" />}
    </section>
  );
}

const kFigureKeys: Record<string, string> = {
  requests: 'stats.requests',
  acknowledged: 'statsc.acknowledged',
  responded: 'stats.responded',
  refused: 'stats.refused',
  withdrawn: 'statsc.withdrawn',
  open: 'stats.open',
  refusals: 'stats.refusals',
  met: 'stats.met',
  breached: 'stats.breached',
  running: 'stats.running',
  cancelled: 'stats.cancelled',
  obligations: 'stats.obligations',
  opened: 'stats.opened',
  submitted: 'stats.submitted',
  decided: 'stats.decided',
  reported: 'stats.reported',
  prosecute: 'stats.prosecute',
  not_prosecute: 'stats.notProsecute',
  overdue: 'stats.overdue',
};
const kTableTitles: Record<TableName, string> = {
  requests: 'stats.requestsChart',
  refusals: 'stats.refusalsChart',
  dimensions: 'stats.dimensionsChart',
  deadlines: 'stats.deadlinesChart',
  obligations: 'stats.obligationsChart',
};

// The summed figures, one chart with its table per table of the report.
function TotalsView({ aggregate }: { aggregate: AggregateDocument }) {
  const { t, lang } = useUi();
  const direction = (d: string | undefined) => (d ? t(d === 'in' ? 'cases.in' : 'cases.out') : '');
  const label = (table: TableName, row: TotalRow): string => {
    const k = keyOf(row);
    const pair = k.requesting_party ? `${k.requesting_party}→${k.requested_party}` : '';
    switch (table) {
      case 'requests':
        return [direction(k.direction), pair, k.request_type, k.priority === 'emergency' ? `(${t('cases.emergency')})` : '']
          .filter(Boolean)
          .join(' ');
      case 'refusals':
        return [direction(k.direction), pair, k.ground].filter(Boolean).join(' ');
      case 'dimensions':
        return `${direction(k.direction)} ${t('stats.dimension.' + (k.dimension ?? ''))}: ${k.value ?? ''}`;
      case 'deadlines':
        return nameOf(t, 'deadline', k.kind ?? '');
      case 'obligations':
        return `${t(k.direction === 'in' ? 'stats.owedHere' : 'stats.owedToUs')} ${pair}`;
    }
  };
  return (
    <div data-testid="statsc-totals">
      <p>{t('statsc.totalsIntro')}</p>
      {kTables.map((table) => {
        const rows = aggregate.totals[table] ?? [];
        const figures = orderedFigures(rows);
        const chartRows: Row[] = rows.map((row) => ({
          label: label(table, row),
          values: figures.map((f) => (typeof row[f] === 'number' ? (row[f] as number) : null)),
          partial: figures.map((f) => row.hidden_in?.[f] ?? 0),
        }));
        return (
          <BarChart
            key={table}
            testId={`statsc-total-${table}`}
            title={t(kTableTitles[table])}
            series={figures.map((f) => ({ key: f, label: kFigureKeys[f] ? t(kFigureKeys[f]) : f }))}
            rows={chartRows}
            format={(n) => formatNumber(lang, n)}
          />
        );
      })}
    </div>
  );
}

type InputCheck = { state: 'ok'; index: bigint } | { state: 'failed'; reason: string; detail: string };
type Check =
  | { state: 'idle' | 'running' }
  | { state: 'ok'; inputs: number; index: bigint; size: bigint; node: string; party: string }
  | { state: 'failed'; reason: string; detail: string; input?: number; inputFailure?: string };

const fedPath = (kind: 'publications' | 'aggregates', id: string) =>
  `/fed/v1/statistics/${kind}/${encodeURIComponent(id)}`;

// One published total (GET /api/v1/statistics/aggregates/{id}): what it is, its inputs and how
// to check each, the figures, and the check in the browser against this node's directory.
function TotalView({ id }: { id: string }) {
  const { t, lang, sessionEnded } = useUi();
  const load = useCallback(
    () =>
      Promise.all([api.aggregate(id), api.node()]).then(([raw, node]) => ({
        raw,
        document: parseAggregatePublication(raw),
        directory: [...(node.entry ? [node.entry] : []), ...(node.peers ?? [])] as DirectoryNode[],
      })),
    [id],
  );
  const { data, error } = useLoad(load);
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  const [inputs, setInputs] = useState<InputCheck[]>([]);
  const document: AggregatePublication | undefined = data?.document;
  const endpointOf = (node: string) => data?.directory.find((n) => n.id === node)?.endpoint ?? '';
  const leafField = (leaf: string, name: string): string => {
    try {
      const value: unknown = JSON.parse(leaf);
      return value && typeof value === 'object' && name in value ? String((value as Record<string, unknown>)[name]) : '';
    } catch {
      return '';
    }
  };

  const verify = async () => {
    if (!data) return;
    setCheck({ state: 'running' });
    try {
      // Each input on its own, so that the list says which hold; then the whole total.
      const each: InputCheck[] = [];
      for (const input of data.document.aggregate.inputs) {
        try {
          each.push({ state: 'ok', index: (await verifyPublication(input, data.directory)).index });
        } catch (err) {
          if (!(err instanceof PublicationError)) throw err;
          each.push({ state: 'failed', reason: 'stats.pub.failure.' + err.code, detail: err.message });
        }
      }
      setInputs(each);
      const v = await verifyAggregatePublication(data.raw, data.directory);
      setCheck({
        state: 'ok',
        inputs: v.inputs.length,
        index: v.index,
        size: v.size,
        node: v.document.node,
        party: v.document.party,
      });
    } catch (err) {
      if (err instanceof AggregateError) {
        setCheck({
          state: 'failed',
          reason: 'statsc.failure.' + err.code,
          detail: err.message,
          input: err.input,
          inputFailure: err.inputFailure ? 'stats.pub.failure.' + err.inputFailure : undefined,
        });
        return;
      }
      const message = failureOf(err, sessionEnded);
      setCheck(message ? { state: 'failed', reason: 'statsc.failure.call', detail: message } : { state: 'idle' });
    }
  };

  const result = (() => {
    switch (check.state) {
      case 'idle':
        return '';
      case 'running':
        return t('statsc.verifying');
      case 'ok':
        return t('statsc.verified', {
          count: check.inputs,
          index: formatNumber(lang, check.index),
          size: check.size,
          node: check.node,
          party: check.party,
        });
      case 'failed':
        return t('statsc.notVerified', {
          reason:
            check.input !== undefined && check.inputFailure
              ? t('statsc.failure.inputOf', { n: String(check.input + 1), reason: t(check.inputFailure) })
              : t(check.reason),
          detail: check.detail,
        });
    }
  })();

  return (
    <section aria-labelledby="statsc-total-title" className="card stats-part" data-testid="statsc-total">
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {document && (
        <>
          <h4 id="statsc-total-title">
            {t('statsc.total.title', {
              from: formatDateTime(lang, document.aggregate.totals.from),
              to: formatDateTime(lang, document.aggregate.totals.to),
            })}
          </h4>
          <dl className="keys">
            <dt>{t('statsc.total.id')}</dt>
            <dd dir="ltr">{document.id}</dd>
            <dt>{t('stats.pub.node')}</dt>
            <dd dir="ltr">
              {document.node} ({document.party})
            </dd>
            <dt>{t('stats.published')}</dt>
            <dd>{formatDateTime(lang, document.published)}</dd>
            <dt>{t('statsc.total.sha')}</dt>
            <dd dir="ltr" data-testid="statsc-total-sha">
              {leafField(document.leaf, 'aggregate_sha256')}
            </dd>
            <dt>{t('statsc.total.open')}</dt>
            <dd dir="ltr">
              <code data-testid="statsc-total-url">{endpointOf(document.node) + fedPath('aggregates', document.id)}</code>
            </dd>
          </dl>
          <p>
            <button type="button" onClick={verify} disabled={check.state === 'running'}>
              {t('statsc.verify')}
            </button>
          </p>
          {result && (
            <p role="status" className={check.state} data-testid="statsc-verify-result" data-state={check.state}>
              {result}
            </p>
          )}
          <h5>{t('statsc.inputs', { count: document.aggregate.inputs.length })}</h5>
          <p>{t('statsc.inputsIntro')}</p>
          <table data-testid="statsc-inputs">
            <thead>
              <tr>
                <th scope="col">{t('stats.pub.node')}</th>
                <th scope="col">{t('stats.pub.id')}</th>
                <th scope="col">{t('stats.published')}</th>
                <th scope="col">{t('stats.pub.sha')}</th>
                <th scope="col">{t('statsc.howToVerify')}</th>
                <th scope="col">{t('statsc.inBrowser')}</th>
              </tr>
            </thead>
            <tbody>
              {document.aggregate.inputs.map((input, i) => {
                const c = inputs[i];
                return (
                  <tr key={`${input.node}/${input.id}`} data-testid={`input-${input.node}`} data-state={c?.state ?? 'unchecked'}>
                    <td dir="ltr">
                      {input.node} ({input.party})
                    </td>
                    <td dir="ltr">{input.id}</td>
                    <td>{formatDateTime(lang, input.published)}</td>
                    <td dir="ltr" className="hash">
                      {leafField(input.leaf, 'report_sha256')}
                    </td>
                    <td>
                      {t('statsc.fetch')} <code dir="ltr">{endpointOf(input.node) + fedPath('publications', input.id)}</code>
                      <br />
                      {t('statsc.check')} <code dir="ltr">concord stats verify FILE --directory DIR --trusted-key KEY</code>
                    </td>
                    <td className={c?.state}>
                      {!c
                        ? t('statsc.input.unchecked')
                        : c.state === 'ok'
                          ? t('statsc.input.verified', { index: formatNumber(lang, c.index), node: input.node })
                          : t('stats.pub.notVerified', { reason: t(c.reason), detail: c.detail })}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h5>{t('statsc.totals')}</h5>
          <TotalsView aggregate={document.aggregate} />
        </>
      )}
    </section>
  );
}

// The totals this node published (GET /api/v1/statistics/aggregates), one opened.
function Totals({ round, opened, onOpen }: { round: number; opened: string; onOpen: (id: string) => void }) {
  const { t, lang } = useUi();
  // `round` changes after a publication, so that the list is read again.
  const load = useCallback(() => api.aggregates(), [round]);
  const { data, error } = useLoad(load);
  const list = data?.aggregates ?? [];
  return (
    <section aria-labelledby="statsc-totals-title" className="stats-part">
      <h3 id="statsc-totals-title">{t('statsc.totalsList')}</h3>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && list.length === 0 && <p>{t('statsc.noTotals')}</p>}
      {list.length > 0 && (
        <table data-testid="statsc-aggregates">
          <thead>
            <tr>
              <th scope="col">{t('stats.published')}</th>
              <th scope="col">{t('stats.publishedBy')}</th>
              <th scope="col">{t('stats.period')}</th>
              <th scope="col">{t('statsc.inputsCount')}</th>
              <th scope="col">{t('stats.ledgerIndex')}</th>
              <th scope="col">{t('stats.pub.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((a) => (
              <tr key={a.id} data-testid={`aggregate-${a.id}`} aria-current={a.id === opened ? 'true' : undefined}>
                <td>{formatDateTime(lang, a.published)}</td>
                <td>{a.published_by}</td>
                <td>
                  <PeriodText from={a.from} to={a.to} />
                </td>
                <td>{formatNumber(lang, a.inputs)}</td>
                <td>{formatNumber(lang, a.ledger_index)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => onOpen(a.id)}
                    aria-label={t('statsc.openLabel', { published: formatDateTime(lang, a.published) })}
                  >
                    {t('stats.pub.open')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {opened && <TotalView key={opened} id={opened} />}
    </section>
  );
}

/** The secretariat's part of the statistics screen: collected reports and published totals. */
export function Collection({ mayPublish }: { mayPublish: boolean }) {
  const { t } = useUi();
  const [round, setRound] = useState(0);
  const [opened, setOpened] = useState('');
  const load = useCallback(() => api.collected(), [round]);
  const { data, error } = useLoad(load);
  const reports = data?.reports ?? [];
  return (
    <section aria-labelledby="statsc-title" data-testid="statsc">
      <h2 id="statsc-title">{t('statsc.title')}</h2>
      <p>{t('statsc.intro')}</p>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && <Collected reports={reports} />}
      {data && mayPublish && (
        <PublishTotal
          periods={periodsOf(reports)}
          onPublished={(id) => {
            setRound((r) => r + 1);
            setOpened(id);
          }}
        />
      )}
      <Totals round={round} opened={opened} onOpen={setOpened} />
    </section>
  );
}
