// A line chart over visits, drawn by uPlot (this module and uPlot load with the progress page
// only). The numbers behind every chart are also in a table on the page, so nothing depends on
// seeing the picture.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  colour: string;
  dash?: number[];
}

export function Chart({
  title,
  xLabels,
  yLabel,
  series,
}: {
  title: string;
  xLabels: string[];
  yLabel: string;
  series: ChartSeries[];
}) {
  const frame = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const xs = xLabels.map((_, index) => index + 1);
    const data: uPlot.AlignedData = [xs, ...series.map((s) => s.values)];
    const options: uPlot.Options = {
      title,
      width: Math.max(320, element.clientWidth - 8),
      height: 260,
      // Half a visit of room on each side, so the first and last dates are not cut off.
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.4, max + 0.4] } },
      axes: [
        {
          label: '',
          values: (_, ticks) => ticks.map((tick) => (Number.isInteger(tick) ? (xLabels[tick - 1] ?? '') : '')),
          incrs: [1],
        },
        { label: yLabel, size: 60 },
      ],
      series: [
        { label: 'visit' },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: 2,
          spanGaps: false,
          points: { show: true, size: 7 },
          ...(s.dash ? { dash: s.dash } : {}),
        })),
      ],
      legend: { show: true },
    };
    const plot = new uPlot(options, data, element);
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(320, element.clientWidth - 8), height: 260 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [title, xLabels.join('|'), yLabel, JSON.stringify(series)]);
  return <div class="chart" ref={frame} role="img" aria-label={title} />;
}
