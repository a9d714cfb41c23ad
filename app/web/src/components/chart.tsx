import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** One line of a chart. Values are for drawing only: totals shown as text stay exact strings. */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

const palette = ["#2f6fde", "#d9822b", "#2a9d5c", "#b4468f", "#7a5af5"];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/**
 * A line chart (uPlot: canvas, a few dozen KB, fast with many points). It is decorative for
 * assistive technology: every chart sits beside a table with the same numbers.
 */
export function LineChart(props: {
  /** Unix seconds of each point. */
  x: number[];
  series: ChartSeries[];
  formatValue: (value: number) => string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const theme = document.documentElement.dataset.theme;
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar("--text-muted");
    const grid = cssVar("--border");
    const axis: uPlot.Axis = {
      stroke: text,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
    };
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: props.height ?? 240,
        legend: { show: props.series.length > 1 },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          { ...axis },
          {
            ...axis,
            size: 80,
            // uPlot passes no ticks while a scale has no range yet (one point, all equal).
            values: (_u, ticks: number[] | undefined) =>
              (ticks ?? []).map((t) => props.formatValue(t)),
          },
        ],
        series: [
          {},
          ...props.series.map((s, i) => ({
            label: s.label,
            stroke: palette[i % palette.length],
            width: 2,
            fill: i === 0 ? `${palette[0] ?? "#2f6fde"}22` : undefined,
            points: { size: 6 },
          })),
        ],
      },
      [props.x, ...props.series.map((s) => s.values)],
      el,
    );
    const resize = new ResizeObserver(() => {
      plot.setSize({ width: Math.max(200, el.clientWidth), height: props.height ?? 240 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.x, props.series, props.formatValue, props.height, theme]);
  return <div class="chart" ref={box} aria-hidden="true" />;
}
