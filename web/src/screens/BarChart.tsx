import { useId } from 'react';

import { useUi } from '../context';

// A horizontal bar chart drawn here in SVG, with the same figures in a table under it (the
// chart's text alternative): the statistics screen's reports and a secretariat's totals
// (Statistics.tsx, StatisticsCollection.tsx). A figure the node hides (suppression) or does not
// have is null and shown as ·; a total that some of its inputs hid is marked with how many.

export type Figure = number | null | undefined;
export type Series = { key: string; label: string };
/** `partial[i]`: how many inputs of a total hid its value i (the value then sums the others). */
export type Row = { label: string; values: Figure[]; partial?: number[] };

export function Hidden() {
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
// A table cell: the figure, · where hidden, and for a total the inputs that hid it.
function Cell({ value, hiddenIn, format }: { value: Figure; hiddenIn: number; format: (n: number) => string }) {
  const { t } = useUi();
  if (value === null || value === undefined) return <Hidden />;
  if (hiddenIn === 0) return <>{format(value)}</>;
  return (
    <>
      {value === 0 ? <span aria-hidden="true">·</span> : `${format(value)} + ·`}{' '}
      <span className="hidden-in">{t('statsc.hiddenIn', { count: hiddenIn })}</span>
    </>
  );
}

export function BarChart({
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
                    const hiddenIn = row.partial?.[i] ?? 0;
                    const text =
                      v === null || v === undefined || (hiddenIn > 0 && v === 0)
                        ? '·'
                        : hiddenIn > 0
                          ? `${format(v)} + ·`
                          : format(v);
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
                    <td key={i} data-series={series[i].key} data-hidden-in={row.partial?.[i] || undefined}>
                      <Cell value={v} hiddenIn={row.partial?.[i] ?? 0} format={format} />
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

