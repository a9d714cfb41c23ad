import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/**
 * What a series stands for, which decides its colour in both themes: money in and assets in the
 * positive colour, money out and liabilities in the negative one (never green), a net in the
 * accent.
 */
export type SeriesTone = "net" | "positive" | "negative";

/** One series of a chart. Values are for drawing only: totals shown as text stay exact strings. */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** The exact amounts ("-42.50") the hover readout shows, formatted, instead of the floats. */
  texts?: readonly string[];
  /** Its colour's meaning; by default net, positive, negative in the order given. */
  tone?: SeriesTone;
  /** Drawn as bars from zero rather than a line. */
  bars?: boolean;
}

const defaultTones: readonly SeriesTone[] = ["net", "positive", "negative"];
// The theme's text colours, which meet WCAG AA on the card in both themes (3:1 is what a
// graphical object needs).
const toneVariable: Record<SeriesTone, string> = {
  net: "--accent",
  positive: "--pos",
  negative: "--neg",
};

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/** The theme in use (`<html data-theme>`), followed as it changes so a chart redraws in its colours. */
function useTheme(): string | undefined {
  const [theme, setTheme] = useState(document.documentElement.dataset.theme);
  useEffect(() => {
    const observer = new MutationObserver(() => {
      setTheme(document.documentElement.dataset.theme);
    });
    observer.observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-theme"],
    });
    return () => {
      observer.disconnect();
    };
  }, []);
  return theme;
}

/**
 * The x range with half a step of room at each end, so the first and last bars are whole; lines
 * alone span the data exactly.
 */
function xRange(x: readonly number[], bars: boolean): uPlot.Range.Function | undefined {
  if (!bars || x.length < 2) return undefined;
  return (_u, min, max) => {
    const half = (max - min) / (x.length - 1) / 2;
    return [min - half, max + half];
  };
}

/**
 * A chart of lines and bars over time (uPlot: canvas, a few dozen KB, fast with many points). It
 * is decorative for assistive technology: every chart sits beside a table with the same numbers.
 * Hovering shows each series' value at that point in the legend, through `formatReadout` and
 * `formatX` (the user's locale) when given.
 */
export function LineChart(props: {
  /** Unix seconds of each point. */
  x: number[];
  series: ChartSeries[];
  /** The value axis' labels. */
  formatValue: (value: number) => string;
  /** The hover readout of a value: its exact text when the series has `texts`. */
  formatReadout?: (text: string) => string;
  /** The hover readout of a point's date. */
  formatX?: (unixSeconds: number) => string;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const theme = useTheme();
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
    const { formatReadout, formatX } = props;
    const bars = uPlot.paths.bars?.({ size: [0.6, 48] });
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: props.height ?? 240,
        legend: { show: props.series.length > 1 },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: {
            time: true,
            range: xRange(
              props.x,
              props.series.some((s) => s.bars),
            ),
          },
        },
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
          formatX
            ? { value: (_u: uPlot, v: number | null) => (v === null ? "–" : formatX(v)) }
            : {},
          ...props.series.map((s, i) => {
            const colour = cssVar(toneVariable[s.tone ?? defaultTones[i % 3] ?? "net"]);
            const readout = (_u: uPlot, v: number | null, _s: number, index: number | null) => {
              if (v === null) return "–";
              const exact = index === null ? undefined : s.texts?.[index];
              if (formatReadout && exact !== undefined) return formatReadout(exact);
              return props.formatValue(v);
            };
            return s.bars && bars
              ? {
                  label: s.label,
                  stroke: colour,
                  fill: colour,
                  width: 0,
                  paths: bars,
                  points: { show: false },
                  value: readout,
                }
              : {
                  label: s.label,
                  stroke: colour,
                  width: 2,
                  points: { size: 6 },
                  value: readout,
                };
          }),
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
  }, [
    props.x,
    props.series,
    props.formatValue,
    props.formatReadout,
    props.formatX,
    props.height,
    theme,
  ]);
  return <div class="chart" ref={box} aria-hidden="true" />;
}
