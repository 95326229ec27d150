import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FunnelRow } from '../../api/types';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface DayChartProps {
  rows: FunnelRow[];
  /** The period's first and last day (`YYYY-MM-DD`): days without a row are drawn as 0. */
  from: string;
  to: string;
  labels: { day: string; clicks: string; registrations: string; firstDeposits: string };
  title: string;
}

/** Clicks, registrations and first deposits per day (uPlot, loaded only with this page). */
export default function DayChart({ rows, from, to, labels, title }: DayChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const byDay = new Map(rows.filter((row) => row.key).map((row) => [row.key as string, row]));
    const start = Date.parse(`${from}T00:00:00Z`);
    const end = Math.max(start, Date.parse(`${to}T00:00:00Z`));
    const x: number[] = [];
    // At most a year of days; a longer period shows its last year.
    for (let day = Math.max(start, end - 366 * DAY_MS); day <= end; day += DAY_MS)
      x.push(day / 1000);
    const value = (pick: (row: FunnelRow) => number) =>
      x.map((seconds) => {
        const row = byDay.get(new Date(seconds * 1000).toISOString().slice(0, 10));
        return row ? pick(row) : 0;
      });
    const plot = new uPlot(
      {
        width: Math.max(320, element.clientWidth || 640),
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
        series: [
          // uPlot's own legend label for the x series is the English "Time".
          { label: labels.day },
          { label: labels.clicks, stroke: '#1f6feb', width: 2 },
          { label: labels.registrations, stroke: '#1a7f37', width: 2 },
          { label: labels.firstDeposits, stroke: '#9a6700', width: 2 },
        ],
        axes: [
          {
            // Whole days only, labelled YYYY-MM-DD like the table's keys.
            incrs: [1, 2, 7, 14, 30, 61, 91].map((days) => (days * DAY_MS) / 1000),
            values: (_plot, splits) =>
              splits.map((seconds) => new Date(seconds * 1000).toISOString().slice(0, 10)),
          },
          { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] },
        ],
        scales: {
          x: { time: true, range: [x[0] - DAY_MS / 2000, x[x.length - 1] + DAY_MS / 2000] },
        },
      },
      [x, value((r) => r.clicks), value((r) => r.registrations), value((r) => r.firstDeposits)],
      element,
    );
    return () => plot.destroy();
  }, [rows, from, to, labels]);
  return <div ref={host} className="chart" role="img" aria-label={title} data-testid="day-chart" />;
}
