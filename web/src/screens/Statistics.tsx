import { type FormEvent, useCallback, useState } from 'react';

import {
  api,
  type AssetTotals,
  type EuArt28Report,
  failureOf,
  type HearingStatisticsReport,
  type StatisticsReport,
} from '../api/client';
import { useUi } from '../context';
import { type Language, formatDateTime, formatNumber } from '../i18n';
import { nameOf } from '../names';
import {
  type PublicationDocument,
  PublicationError,
  type VerifiedPublication,
  parsePublication,
  verifyPublication,
} from '../publication';
import { BarChart, Hidden } from './BarChart';
import { Collection, SubmitPublication, useSecretariat } from './StatisticsCollection';
import { useLoad } from './useLoad';

// The node's official statistics (docs/statistics.md) for a period: requests per party pair and
// type, times to acknowledge and to answer, deadline compliance, refusals by ground, requests by
// offence and data category and the obligations to extradite or prosecute, each as a bar chart drawn here in SVG with the same
// figures in a table beside it (the chart's text alternative); the EU e-Evidence Regulation's
// Art 28(2) figures; the hearings by video conference; publishing the period's report, and each publication opened and verified
// in the browser (publication.ts); a publication submitted to the secretariat, and on a
// secretariat's node the reports collected and their totals (StatisticsCollection.tsx). A figure the node hides (suppression) or does not have is
// null and shown as ·.

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A duration in the largest unit that keeps it readable, through Intl. */
export function formatDuration(lang: Language, ms: number): string {
  const units: [string, number][] = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ];
  const [unit, size] =
    ms >= 2 * 86_400_000 ? units[0] : ms >= 3_600_000 ? units[1] : ms >= 60_000 ? units[2] : units[3];
  return new Intl.NumberFormat(lang, {
    style: 'unit',
    unit,
    unitDisplay: 'short',
    maximumFractionDigits: 1,
  }).format(ms / size);
}

function pairsOf(report: StatisticsReport): [string, string][] {
  const seen = new Map<string, [string, string]>();
  for (const r of report.requests ?? []) {
    const a = r.requesting_party ?? '';
    const b = r.requested_party ?? '';
    if (!a || !b || a === b) continue;
    const key = [a, b].sort().join('-');
    if (!seen.has(key)) seen.set(key, [a, b]);
  }
  return [...seen.values()];
}

// The figures of one report: the live report of the period, or a published one. Test ids start
// with `prefix`, so that both can be on the screen at once.
function ReportView({ report, prefix }: { report: StatisticsReport; prefix: string }) {
  const { t, lang } = useUi();
  const count = (n: number) => formatNumber(lang, n);
  const duration = (n: number) => formatDuration(lang, n);
  const direction = (d: string | undefined) => t(d === 'in' ? 'cases.in' : 'cases.out');
  const requests = report.requests ?? [];
  const requestLabel = (r: (typeof requests)[number]) =>
    `${direction(r.direction)} ${r.requesting_party}→${r.requested_party} ${r.request_type}` +
    (r.priority === 'emergency' ? ` (${t('cases.emergency')})` : '');
  const obligations = report.obligations ?? [];
  const obligationLabel = (o: (typeof obligations)[number]) =>
    `${t(o.direction === 'in' ? 'stats.owedHere' : 'stats.owedToUs')} ${o.requesting_party}→${o.requested_party}`;
  return (
    <>
      <p data-testid={`${prefix}-summary`}>
        {t('stats.summary', {
          from: formatDateTime(lang, report.from),
          to: formatDateTime(lang, report.to),
          generated: formatDateTime(lang, report.generated),
          threshold: formatNumber(lang, report.threshold ?? 0),
        })}
      </p>
      <BarChart
        testId={`${prefix}-requests`}
        title={t('stats.requestsChart')}
        series={[
          { key: 'requests', label: t('stats.requests') },
          { key: 'responded', label: t('stats.responded') },
          { key: 'refused', label: t('stats.refused') },
          { key: 'open', label: t('stats.open') },
        ]}
        rows={requests.map((r) => ({
          label: requestLabel(r),
          values: [r.requests, r.responded, r.refused, r.open],
        }))}
        format={count}
      />
      <BarChart
        testId={`${prefix}-times`}
        title={t('stats.timesChart')}
        series={[
          { key: 'acknowledge_median_ms', label: t('stats.ackMedian') },
          { key: 'acknowledge_p90_ms', label: t('stats.ackP90') },
          { key: 'answer_median_ms', label: t('stats.answerMedian') },
          { key: 'answer_p90_ms', label: t('stats.answerP90') },
        ]}
        rows={requests.map((r) => ({
          label: requestLabel(r),
          values: [r.acknowledge_median_ms, r.acknowledge_p90_ms, r.answer_median_ms, r.answer_p90_ms],
        }))}
        format={duration}
      />
      <BarChart
        testId={`${prefix}-deadlines`}
        title={t('stats.deadlinesChart')}
        series={[
          { key: 'met', label: t('stats.met') },
          { key: 'breached', label: t('stats.breached') },
          { key: 'running', label: t('stats.running') },
          { key: 'cancelled', label: t('stats.cancelled') },
        ]}
        rows={(report.deadlines ?? []).map((d) => ({
          label: nameOf(t, 'deadline', d.kind),
          values: [d.met, d.breached, d.running, d.cancelled],
        }))}
        format={count}
      />
      <BarChart
        testId={`${prefix}-refusals`}
        title={t('stats.refusalsChart')}
        series={[{ key: 'refusals', label: t('stats.refusals') }]}
        rows={(report.refusals ?? []).map((r) => ({
          label: `${direction(r.direction)} ${r.requesting_party}→${r.requested_party} ${r.ground}`,
          values: [r.refusals],
        }))}
        format={count}
      />
      <BarChart
        testId={`${prefix}-dimensions`}
        title={t('stats.dimensionsChart')}
        series={[{ key: 'requests', label: t('stats.requests') }]}
        rows={(report.dimensions ?? []).map((d) => ({
          label: `${direction(d.direction)} ${t('stats.dimension.' + (d.dimension ?? ''))}: ${d.value}`,
          values: [d.requests],
        }))}
        format={count}
      />
      <BarChart
        testId={`${prefix}-obligations`}
        title={t('stats.obligationsChart')}
        series={[
          { key: 'obligations', label: t('stats.obligations') },
          { key: 'opened', label: t('stats.opened') },
          { key: 'submitted', label: t('stats.submitted') },
          { key: 'decided', label: t('stats.decided') },
          { key: 'reported', label: t('stats.reported') },
          { key: 'overdue', label: t('stats.overdue') },
        ]}
        rows={obligations.map((o) => ({
          label: obligationLabel(o),
          values: [o.obligations, o.opened, o.submitted, o.decided, o.reported, o.overdue],
        }))}
        format={count}
      />
      <BarChart
        testId={`${prefix}-decisions`}
        title={t('stats.decisionsChart')}
        series={[
          { key: 'prosecute', label: t('stats.prosecute') },
          { key: 'not_prosecute', label: t('stats.notProsecute') },
        ]}
        rows={obligations.map((o) => ({
          label: obligationLabel(o),
          values: [o.prosecute, o.not_prosecute],
        }))}
        format={count}
      />
    </>
  );
}

// The asset totals of each party pair the report names (GET /api/v1/statistics/assets).
function Assets({ pairsKey }: { pairsKey: string }) {
  const { t, lang } = useUi();
  const load = useCallback(
    () =>
      Promise.all(
        (pairsKey ? pairsKey.split(',') : []).map((pair) => pair.split('-')).map(([a, b]) =>
          api.assetTotals(a, b).then(
            (totals): [string, AssetTotals | null] => [`${a} ⇄ ${b}`, totals],
            (): [string, AssetTotals | null] => [`${a} ⇄ ${b}`, null],
          ),
        ),
      ),
    [pairsKey],
  );
  const { data } = useLoad(load);
  const rows = (data ?? []).flatMap(([pair, totals]) =>
    totals
      ? Object.entries(totals.counts ?? {}).map(([state, count]) => ({
          pair,
          state,
          count,
          amounts: Object.entries(totals.amounts?.[state] ?? {})
            .map(([currency, amount]) => `${amount} ${currency}`)
            .join(', '),
        }))
      : [],
  );
  return (
    <section aria-labelledby="stats-assets">
      <h2 id="stats-assets">{t('stats.assets')}</h2>
      {rows.length === 0 ? (
        <p>{t('stats.noAssets')}</p>
      ) : (
        <table data-testid="stats-assets">
          <thead>
            <tr>
              <th scope="col">{t('stats.pair')}</th>
              <th scope="col">{t('cases.state')}</th>
              <th scope="col">{t('stats.count')}</th>
              <th scope="col">{t('stats.amounts')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.pair + r.state}>
                <td>{r.pair}</td>
                <td>{r.state}</td>
                <td>{formatNumber(lang, r.count)}</td>
                <td>{r.amounts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

type Period = { from: string; to: string };
type Message = { key: string; values?: Record<string, string> };
const instant = (day: string) => `${day}T00:00:00Z`;

// Art 28(2) of Regulation (EU) 2023/1543 for the period (GET /api/v1/statistics/eu-art28).
function EuArt28({ period }: { period: Period }) {
  const { t, lang } = useUi();
  const load = useCallback(() => api.euArt28(instant(period.from), instant(period.to)), [period]);
  const { data, error } = useLoad(load);
  const count = (n: number) => formatNumber(lang, n);
  const orders = data?.orders ?? [];
  const label = (o: { addressee?: string; situation?: string }) =>
    `${o.addressee === 'unknown' ? t('stats.eu.unknownAddressee') : o.addressee} (${t(
      o.situation === 'emergency' ? 'cases.emergency' : 'cases.normal',
    )})`;
  const orderLabel = (o: EuOrder) =>
    `${t('stats.eu.order.' + (o.order ?? ''))} · ${
      o.data_category === 'all' || o.data_category === 'unspecified'
        ? t('stats.eu.data.' + o.data_category)
        : o.data_category
    } · ${label(o)}`;
  return (
    <section aria-labelledby="stats-eu-title" data-testid="stats-eu">
      <h2 id="stats-eu-title">{t('stats.eu.title')}</h2>
      <p>{t('stats.eu.intro')}</p>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && (
        <>
          <dl className="keys">
            <dt>{t('stats.eu.emergency')}</dt>
            <dd data-testid="stats-eu-emergency">
              {data.emergency_epocs === null || data.emergency_epocs === undefined ? (
                <Hidden />
              ) : (
                count(data.emergency_epocs)
              )}
            </dd>
          </dl>
          <BarChart
            testId="stats-eu-orders"
            title={t('stats.eu.ordersChart')}
            series={[
              { key: 'issued', label: t('stats.eu.issued') },
              { key: 'fulfilled', label: t('stats.eu.fulfilled') },
              { key: 'not_fulfilled', label: t('stats.eu.notFulfilled') },
              { key: 'withdrawn', label: t('stats.eu.withdrawn') },
              { key: 'open', label: t('stats.open') },
            ]}
            rows={orders.map((o) => ({
              label: orderLabel(o),
              values: [o.issued, o.fulfilled, o.not_fulfilled, o.withdrawn, o.open],
            }))}
            format={count}
          />
          <BarChart
            testId="stats-eu-times"
            title={t('stats.eu.timesChart')}
            series={[{ key: 'average_ms', label: t('stats.eu.average') }]}
            rows={orders
              .filter((o) => o.order === 'epoc')
              .map((o) => ({ label: orderLabel(o), values: [o.average_ms] }))}
            format={(n) => formatDuration(lang, n)}
          />
          <BarChart
            testId="stats-eu-refusals"
            title={t('stats.eu.refusalsChart')}
            series={[{ key: 'refusals', label: t('stats.refusals') }]}
            rows={(data.refusals ?? []).map((r) => ({
              label: `${label(r)} ${r.ground}`,
              values: [r.refusals],
            }))}
            format={count}
          />
          <h3>{t('stats.eu.notRecorded')}</h3>
          <p>{t('stats.eu.notRecordedIntro')}</p>
          <table data-testid="stats-eu-not-recorded">
            <thead>
              <tr>
                <th scope="col">{t('stats.eu.point')}</th>
                <th scope="col">{t('stats.eu.figure')}</th>
                <th scope="col">{t('stats.eu.why')}</th>
              </tr>
            </thead>
            <tbody>
              {(data.not_recorded ?? []).map((n) => (
                <tr key={n.point}>
                  <td dir="ltr">{n.point}</td>
                  <td lang="en" dir="ltr">
                    {n.figure}
                  </td>
                  <td lang="en" dir="ltr">
                    {n.why}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

type EuOrder = NonNullable<EuArt28Report['orders']>[number];

type HearingRow = HearingStatisticsReport['hearings'][number];

// The hearings by video conference for the period (GET /api/v1/statistics/hearings): per
// direction and party pair, the requests by where their hearing stands, the time from the
// request to the hearing and the proposals it took to agree a time (docs/statistics.md).
function Hearings({ period }: { period: Period }) {
  const { t, lang } = useUi();
  const load = useCallback(() => api.hearingStatistics(instant(period.from), instant(period.to)), [period]);
  const { data, error } = useLoad(load);
  const count = (n: number) => formatNumber(lang, n);
  const rows = data?.hearings ?? [];
  const label = (h: HearingRow) =>
    `${t(h.direction === 'in' ? 'cases.in' : 'cases.out')} ${h.requesting_party}→${h.requested_party}`;
  return (
    <section aria-labelledby="stats-hearings-title" data-testid="stats-hearings">
      <h2 id="stats-hearings-title">{t('stats.hear.title')}</h2>
      <p>{t('stats.hear.intro')}</p>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && rows.length === 0 && <p data-testid="stats-hearings-empty">{t('stats.hear.empty')}</p>}
      {rows.length > 0 && (
        <>
          <BarChart
            testId="stats-hearings-states"
            title={t('stats.hear.statesChart')}
            series={[
              { key: 'requests', label: t('stats.requests') },
              { key: 'none', label: t('stats.hear.none') },
              { key: 'proposed', label: t('stats.hear.proposed') },
              { key: 'scheduled', label: t('stats.hear.scheduled') },
              { key: 'held', label: t('stats.hear.held') },
              { key: 'recorded', label: t('stats.hear.recorded') },
            ]}
            rows={rows.map((h) => ({
              label: label(h),
              values: [h.requests, h.none, h.proposed, h.scheduled, h.held, h.recorded],
            }))}
            format={count}
          />
          <BarChart
            testId="stats-hearings-times"
            title={t('stats.hear.timesChart')}
            series={[
              { key: 'to_held_median_ms', label: t('stats.hear.median') },
              { key: 'to_held_p90_ms', label: t('stats.hear.p90') },
            ]}
            rows={rows.map((h) => ({ label: label(h), values: [h.to_held_median_ms, h.to_held_p90_ms] }))}
            format={(n) => formatDuration(lang, n)}
          />
          <BarChart
            testId="stats-hearings-proposals"
            title={t('stats.hear.proposalsChart')}
            series={[{ key: 'proposals_median', label: t('stats.hear.proposalsMedian') }]}
            rows={rows.map((h) => ({ label: label(h), values: [h.proposals_median] }))}
            format={count}
          />
        </>
      )}
    </section>
  );
}

// Publishing the period's report (statistics.publish: statisticians and administrators), after
// a confirmation, since a publication is public and stays.
function Publish({ period, onPublished }: { period: Period; onPublished: (id: string) => void }) {
  const { t, lang, sessionEnded } = useUi();
  const [confirming, setConfirming] = useState(false);
  // The outcome as a text key and its values, so that it follows a change of language.
  const [state, setState] = useState<{ kind: 'idle' | 'busy' | 'ok' | 'failed' } & Message>({
    kind: 'idle',
    key: '',
  });
  const publish = async () => {
    setState({ kind: 'busy', key: 'stats.publish.busy' });
    try {
      const document = parsePublication(await api.publish(instant(period.from), instant(period.to)));
      setConfirming(false);
      setState({ kind: 'ok', key: 'stats.publish.done', values: { id: document.id } });
      onPublished(document.id);
    } catch (err) {
      const message = failureOf(err, sessionEnded);
      setState(
        message ? { kind: 'failed', key: 'stats.publish.failed', values: { message } } : { kind: 'idle', key: '' },
      );
    }
  };
  return (
    <section aria-labelledby="stats-publish-title" className="card stats-part" data-testid="stats-publish">
      <h2 id="stats-publish-title">{t('stats.publish.title')}</h2>
      <p>{t('stats.publish.intro')}</p>
      {!confirming ? (
        <button type="button" onClick={() => setConfirming(true)}>
          {t('stats.publish.start')}
        </button>
      ) : (
        <div role="group" aria-labelledby="stats-publish-confirm">
          <p id="stats-publish-confirm" className="confirm">
            {t('stats.publish.confirm', {
              from: formatDateTime(lang, instant(period.from)),
              to: formatDateTime(lang, instant(period.to)),
            })}
          </p>
          <button type="button" className="danger" onClick={publish} disabled={state.kind === 'busy'}>
            {t('stats.publish.yes')}
          </button>{' '}
          <button type="button" onClick={() => setConfirming(false)} disabled={state.kind === 'busy'}>
            {t('stats.publish.cancel')}
          </button>
        </div>
      )}
      {state.key && (
        <p role={state.kind === 'failed' ? 'alert' : 'status'} className={state.kind} data-testid="stats-publish-result">
          {t(state.key, state.values)}
        </p>
      )}
    </section>
  );
}

// A check's outcome: a text key with its values (the reason a key too, the numbers as numbers),
// formatted when shown, so that it follows a change of language.
type Check = { state: 'idle' | 'running' | 'ok' | 'failed'; reason?: string; index?: bigint; size?: bigint } & Message;

// One publication document (GET /api/v1/statistics/publications/{id}), and its check in the
// browser against the directory as this node holds it (GET /api/v1/node).
function PublicationView({ id }: { id: string }) {
  const { t, lang, sessionEnded } = useUi();
  const load = useCallback(
    () => api.publication(id).then((raw) => ({ raw, document: parsePublication(raw) })),
    [id],
  );
  const { data, error } = useLoad(load);
  const [check, setCheck] = useState<Check>({ state: 'idle', key: '' });
  const document: PublicationDocument | undefined = data?.document;
  let named = '';
  try {
    const leaf: unknown = document ? JSON.parse(document.leaf) : undefined;
    if (leaf && typeof leaf === 'object' && 'report_sha256' in leaf) named = String(leaf.report_sha256);
  } catch {
    named = '';
  }

  const verify = async () => {
    if (!data) return;
    setCheck({ state: 'running', key: 'stats.pub.verifying' });
    try {
      const node = await api.node();
      const directory = [...(node.entry ? [node.entry] : []), ...(node.peers ?? [])];
      const v: VerifiedPublication = await verifyPublication(data.raw, directory);
      setCheck({
        state: 'ok',
        key: 'stats.pub.verified',
        values: { node: v.document.node, party: v.document.party },
        index: v.index,
        size: v.size,
      });
    } catch (err) {
      if (err instanceof PublicationError) {
        setCheck({
          state: 'failed',
          key: 'stats.pub.notVerified',
          reason: 'stats.pub.failure.' + err.code,
          values: { detail: err.message },
        });
        return;
      }
      const message = failureOf(err, sessionEnded);
      setCheck(message ? { state: 'failed', key: 'error.load', values: { message } } : { state: 'idle', key: '' });
    }
  };

  return (
    <section aria-labelledby="stats-pub-title" className="card stats-part" data-testid="stats-publication">
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {document && (
        <>
          <h3 id="stats-pub-title">{t('stats.pub.title', { published: formatDateTime(lang, document.published) })}</h3>
          <dl className="keys">
            <dt>{t('stats.pub.id')}</dt>
            <dd dir="ltr">{document.id}</dd>
            <dt>{t('stats.pub.node')}</dt>
            <dd dir="ltr">
              {document.node} ({document.party})
            </dd>
            <dt>{t('stats.period')}</dt>
            <dd>
              {formatDateTime(lang, document.report.from)} – {formatDateTime(lang, document.report.to)}
            </dd>
            <dt>{t('stats.pub.sha')}</dt>
            <dd dir="ltr" data-testid="stats-pub-sha">
              {named}
            </dd>
          </dl>
          <p>
            <button type="button" onClick={verify} disabled={check.state === 'running'}>
              {t('stats.pub.verify')}
            </button>
          </p>
          {check.key && (
            <p role="status" className={check.state} data-testid="stats-verify-result">
              {check.state === 'failed' && check.reason
                ? t(check.key, { reason: t(check.reason), detail: check.values?.detail ?? '' })
                : t(check.key, {
                    ...check.values,
                    ...(check.index === undefined ? {} : { index: formatNumber(lang, check.index) }),
                    ...(check.size === undefined ? {} : { size: check.size }),
                  })}
            </p>
          )}
          <details>
            <summary>{t('stats.pub.figures')}</summary>
            <ReportView report={document.report} prefix="pub" />
          </details>
        </>
      )}
    </section>
  );
}

function Publications({
  round,
  opened,
  onOpen,
  submit,
}: {
  round: number;
  opened: string;
  onOpen: (id: string) => void;
  /** Whether each publication offers **Submit to the secretariat**. */
  submit: boolean;
}) {
  const { t, lang } = useUi();
  // `round` changes after a publication, so that the list is read again.
  const load = useCallback(() => api.publications(), [round]);
  const { data, error } = useLoad(load);
  const list = data?.publications ?? [];
  return (
    <section aria-labelledby="stats-publications">
      <h2 id="stats-publications">{t('stats.publications')}</h2>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {data && list.length === 0 && <p>{t('stats.noPublications')}</p>}
      {list.length > 0 && (
        <table data-testid="stats-publications">
          <thead>
            <tr>
              <th scope="col">{t('stats.published')}</th>
              <th scope="col">{t('stats.publishedBy')}</th>
              <th scope="col">{t('stats.period')}</th>
              <th scope="col">{t('stats.ledgerIndex')}</th>
              <th scope="col">{t('stats.pub.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id} aria-current={p.id === opened ? 'true' : undefined}>
                <td>{formatDateTime(lang, p.published)}</td>
                <td>{p.published_by}</td>
                <td>
                  {formatDateTime(lang, p.from)} – {formatDateTime(lang, p.to)}
                </td>
                <td>{p.ledger_index === undefined ? '' : formatNumber(lang, p.ledger_index)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => onOpen(p.id ?? '')}
                    aria-label={t('stats.pub.openLabel', { published: formatDateTime(lang, p.published) })}
                  >
                    {t('stats.pub.open')}
                  </button>
                  {submit && p.id && <SubmitPublication id={p.id} published={p.published ?? ''} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {opened && <PublicationView key={opened} id={opened} />}
    </section>
  );
}

export function Statistics() {
  const { t, me } = useUi();
  const [from, setFrom] = useState(() => isoDate(new Date(Date.now() - 30 * 86_400_000)));
  const [to, setTo] = useState(() => isoDate(new Date(Date.now() + 86_400_000)));
  const [period, setPeriod] = useState<Period>({ from, to });
  const [round, setRound] = useState(0);
  const [opened, setOpened] = useState('');
  const load = useCallback(() => api.statistics(instant(period.from), instant(period.to)), [period]);
  const { data: report, error } = useLoad(load);
  const pairsKey = report ? pairsOf(report).map((p) => p.join('-')).join(',') : '';
  const mayPublish = me.roles.some((r) => r === 'statistician' || r === 'administrator');
  const secretariat = useSecretariat();

  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (from && to && from < to) setPeriod({ from, to });
  };

  return (
    <section aria-labelledby="stats-title">
      <h1 id="stats-title">{t('stats.title')}</h1>
      <form className="filters" onSubmit={apply}>
        <label>
          {t('stats.from')} <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('stats.to')} <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="submit" disabled={!from || !to || from >= to}>
          {t('stats.show')}
        </button>
      </form>
      {error && <p role="alert">{t('error.load', { message: error })}</p>}
      {report && (
        <>
          <ReportView report={report} prefix="stats" />
          <Assets pairsKey={pairsKey} />
        </>
      )}
      <EuArt28 period={period} />
      <Hearings period={period} />
      {mayPublish && (
        <Publish
          period={period}
          onPublished={(id) => {
            setRound((r) => r + 1);
            setOpened(id);
          }}
        />
      )}
      <Publications
        round={round}
        opened={opened}
        onOpen={setOpened}
        submit={mayPublish && secretariat?.secretariat === false && secretariat.node !== ''}
      />
      {mayPublish && secretariat?.secretariat === false && secretariat.node === '' && (
        <p className="note" data-testid="statsc-no-secretariat">
          {t('statsc.noSecretariat')}
        </p>
      )}
      {secretariat?.secretariat && <Collection mayPublish={mayPublish} />}
    </section>
  );
}
