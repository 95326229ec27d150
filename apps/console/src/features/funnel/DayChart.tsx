import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FunnelRow } from '../../api/types';

export interface DayChartProps {
  rows: FunnelRow[];
  labels: { clicks: string; registrations: string; firstDeposits: string };
  title: string;
}

/** Clicks, registrations and first deposits per day (uPlot, loaded only with this page). */
export default function DayChart({ rows, labels, title }: DayChartProps) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const days = rows.filter((row) => row.key).map((row) => row);
    const x = days.map((row) => Date.parse(`${row.key}T00:00:00Z`) / 1000);
    const plot = new uPlot(
      {
        width: Math.max(320, element.clientWidth || 640),
        height: 240,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
        series: [
          {},
          { label: labels.clicks, stroke: '#1f6feb', width: 2 },
          { label: labels.registrations, stroke: '#1a7f37', width: 2 },
          { label: labels.firstDeposits, stroke: '#9a6700', width: 2 },
        ],
        axes: [{}, {}],
        scales: { x: { time: true } },
      },
      [
        x,
        days.map((r) => r.clicks),
        days.map((r) => r.registrations),
        days.map((r) => r.firstDeposits),
      ],
      element,
    );
    return () => plot.destroy();
  }, [rows, labels]);
  return <div ref={host} className="chart" role="img" aria-label={title} data-testid="day-chart" />;
}
