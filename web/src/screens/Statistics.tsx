import { type FormEvent, useCallback, useId, useState } from 'react';

import { api, type AssetTotals, type StatisticsReport } from '../api/client';
import { useUi } from '../context';
import { type Language, formatDateTime, formatNumber } from '../i18n';
import { useLoad } from './useLoad';

// The node's official statistics (docs/statistics.md) for a period: requests per party pair and
// type, times to acknowledge and to answer, deadline compliance and refusals by ground, each as a
// bar chart drawn here in SVG with the same figures in a table beside it (the chart's text
// alternative). A figure the node hides (suppression) or does not have is null and shown as ·.

type Figure = number | null | undefined;
type Series = { key: string; label: string };
type Row = { label: string; values: Figure[] };

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

function Hidden() {
  const { t } = useUi();
  return (
    <>
      <span aria-hidden="true">·</span>
      <span className="sr-only">{t('stats.hidden')}</span>
    </>
  );
}

const rowHeight = 16;
const gap = 4;
const groupGap = 12;
const width = 720;
const labelWidth = 250;
const valueWidth = 90;

// A horizontal bar chart: one group per row, one bar per series. The SVG mirrors itself in a
// right-to-left language; the table under it holds every figure as text.
function BarChart({
  title,
  series,
  rows,
  format,
  testId,
}: {
  title: string;
  series: Series[];
  rows: Row[];
  format: (n: number) => string;
  testId: string;
}) {
  const { t, lang } = useUi();
  const captionId = useId();
  const tableId = useId();
  const rtl = lang === 'ar';
  const max = Math.max(1, ...rows.flatMap((r) => r.values.map((v) => v ?? 0)));
  const groupHeight = series.length * (rowHeight + gap) - gap;
  const height = Math.max(1, rows.length * (groupHeight + groupGap));
  const barSpace = width - labelWidth - valueWidth;
  const x = (from: number, w: number) => (rtl ? width - from - w : from);

  return (
    <figure className="chart card" data-testid={testId}>
      <figcaption id={captionId}>{title}</figcaption>
      {rows.length === 0 ? (
        <p>{t('stats.noRows')}</p>
      ) : (
        <>
          {series.length > 1 && (
            <ul className="legend" aria-hidden="true">
              {series.map((s, i) => (
                <li key={s.key}>
                  <span className={`swatch series-${i}`} /> {s.label}
                </li>
              ))}
            </ul>
          )}
          <svg
            viewBox={`0 0 ${width} ${height}`}
            role="img"
            aria-labelledby={captionId}
            aria-describedby={tableId}
            className="bars"
          >
            {rows.map((row, r) => {
              const top = r * (groupHeight + groupGap);
              const label = row.label.length > 38 ? row.label.slice(0, 37) + '…' : row.label;
              return (
                <g key={r}>
                  <text
                    x={rtl ? width - 4 : 4}
                    y={top + groupHeight / 2 + 4}
                    textAnchor="start"
                    className="chart-label"
                  >
                    {label}
                  </text>
                  {row.values.map((v, i) => {
                    const y = top + i * (rowHeight + gap);
                    const w = v ? Math.max(2, (v / max) * barSpace) : 0;
                    const text = v === null || v === undefined ? '·' : format(v);
                    return (
                      <g key={i}>
                        {w > 0 && (
                          <rect
                            x={x(labelWidth, w)}
                            y={y}
                            width={w}
                            height={rowHeight}
                            className={`series-${i}`}
                          />
                        )}
                        <text
                          x={rtl ? width - labelWidth - w - 4 : labelWidth + w + 4}
                          y={y + rowHeight - 3}
                          textAnchor="start"
                          className="chart-value"
                        >
                          {text}
                        </text>
                      </g>
                    );
                  })}
                </g>
              );
            })}
          </svg>
          <table id={tableId} className="chart-data">
            <thead>
              <tr>
                <th scope="col">{t('stats.row')}</th>
                {series.map((s) => (
                  <th scope="col" key={s.key}>
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, r) => (
                <tr key={r}>
                  <th scope="row" dir="auto">
                    {row.label}
                  </th>
                  {row.values.map((v, i) => (
                    <td key={i} data-series={series[i].key}>
                      {v === null || v === undefined ? <Hidden /> : format(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </figure>
  );
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

function Publications() {
  const { t, lang } = useUi();
  const load = useCallback(() => api.publications(), []);
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
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={p.id}>
                <td>{formatDateTime(lang, p.published)}</td>
                <td>{p.published_by}</td>
                <td>
                  {formatDateTime(lang, p.from)} – {formatDateTime(lang, p.to)}
                </td>
                <td>{p.ledger_index === undefined ? '' : formatNumber(lang, p.ledger_index)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Statistics() {
  const { t, lang } = useUi();
  const [from, setFrom] = useState(() => isoDate(new Date(Date.now() - 30 * 86_400_000)));
  const [to, setTo] = useState(() => isoDate(new Date(Date.now() + 86_400_000)));
  const [period, setPeriod] = useState({ from, to });
  const load = useCallback(
    () => api.statistics(`${period.from}T00:00:00Z`, `${period.to}T00:00:00Z`),
    [period],
  );
  const { data: report, error } = useLoad(load);
  const pairsKey = report ? pairsOf(report).map((p) => p.join('-')).join(',') : '';

  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (from && to && from < to) setPeriod({ from, to });
  };
  const count = (n: number) => formatNumber(lang, n);
  const duration = (n: number) => formatDuration(lang, n);
  const direction = (d: string | undefined) => t(d === 'in' ? 'cases.in' : 'cases.out');
  const requests = report?.requests ?? [];
  const requestLabel = (r: (typeof requests)[number]) =>
    `${direction(r.direction)} ${r.requesting_party}→${r.requested_party} ${r.request_type}` +
    (r.priority === 'emergency' ? ` (${t('cases.emergency')})` : '');

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
          <p data-testid="stats-summary">
            {t('stats.summary', {
              from: formatDateTime(lang, report.from),
              to: formatDateTime(lang, report.to),
              generated: formatDateTime(lang, report.generated),
              threshold: formatNumber(lang, report.threshold ?? 0),
            })}
          </p>
          <BarChart
            testId="stats-requests"
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
            testId="stats-times"
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
            testId="stats-deadlines"
            title={t('stats.deadlinesChart')}
            series={[
              { key: 'met', label: t('stats.met') },
              { key: 'breached', label: t('stats.breached') },
              { key: 'running', label: t('stats.running') },
              { key: 'cancelled', label: t('stats.cancelled') },
            ]}
            rows={(report.deadlines ?? []).map((d) => ({
              label: d.kind ?? '',
              values: [d.met, d.breached, d.running, d.cancelled],
            }))}
            format={count}
          />
          <BarChart
            testId="stats-refusals"
            title={t('stats.refusalsChart')}
            series={[{ key: 'refusals', label: t('stats.refusals') }]}
            rows={(report.refusals ?? []).map((r) => ({
              label: `${direction(r.direction)} ${r.requesting_party}→${r.requested_party} ${r.ground}`,
              values: [r.refusals],
            }))}
            format={count}
          />
          <Assets pairsKey={pairsKey} />
        </>
      )}
      <Publications />
    </section>
  );
}
