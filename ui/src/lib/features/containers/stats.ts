// Live stats: rates from consecutive cumulative samples, the last minute kept for the charts, and
// the charts' SVG paths. Pure functions, unit-tested.

import { formatBytes } from "../../format";
import type { StatsSample } from "./types";

/** Samples kept for the charts: one a second, the last minute. */
export const HISTORY = 60;

/**
 * Per second between two readings of a cumulative counter (bytes received…); null when unknown:
 * no time passed, or the counter went backwards (the container restarted and its counters
 * started again from zero), so the interval's real amount cannot be told.
 */
export function rate(prev: number, cur: number, dtMs: number): number | null {
  if (!(dtMs > 0) || !Number.isFinite(prev) || !Number.isFinite(cur)) return null;
  if (cur < prev) return null;
  return ((cur - prev) * 1000) / dtMs;
}

/** Memory used as a percentage of the limit; null without a limit. */
export function memoryPercent(s: Pick<StatsSample, "memoryBytes" | "memoryLimit">): number | null {
  return s.memoryLimit > 0 ? (s.memoryBytes / s.memoryLimit) * 100 : null;
}

/** What the charts draw for one sample. Rates are per second since the previous sample. */
export type StatsPoint = {
  at: number;
  cpu: number;
  memory: number;
  memoryPercent: number | null;
  netRx: number | null;
  netTx: number | null;
  blockRead: number | null;
  blockWrite: number | null;
  pids: number;
};

export function toPoint(s: StatsSample, prev: StatsSample | undefined): StatsPoint {
  const dt = prev ? s.at - prev.at : 0;
  const r = (k: "netRx" | "netTx" | "blockRead" | "blockWrite") =>
    prev ? rate(prev[k], s[k], dt) : null;
  return {
    at: s.at,
    cpu: s.cpuPercent,
    memory: s.memoryBytes,
    memoryPercent: memoryPercent(s),
    netRx: r("netRx"),
    netTx: r("netTx"),
    blockRead: r("blockRead"),
    blockWrite: r("blockWrite"),
    pids: s.pids,
  };
}

/** One point per sample; the first has no rates (nothing to compare it with). */
export function toPoints(samples: StatsSample[]): StatsPoint[] {
  return samples.map((s, i) => toPoint(s, samples[i - 1]));
}

/**
 * The history with `s` added, the oldest dropped past `max`. A sample not newer than the last
 * one (a repeat) is ignored.
 */
export function appendSample(
  history: StatsSample[],
  s: StatsSample,
  max = HISTORY + 1,
): StatsSample[] {
  const last = history[history.length - 1];
  if (last && s.at <= last.at) return history;
  const next = [...history, s];
  return next.length > max ? next.slice(next.length - max) : next;
}

export type Series = (number | null)[];

/** A round top for a chart's scale, at least `floor`: 1, 2 or 5 × 10ⁿ. */
export function niceMax(values: Series, floor = 1): number {
  const top = Math.max(floor, ...values.map((v) => (v == null || !Number.isFinite(v) ? 0 : v)));
  const mag = 10 ** Math.floor(Math.log10(top));
  for (const m of [1, 2, 5, 10]) if (top <= m * mag) return m * mag;
  return 10 * mag;
}

const r2 = (n: number) => Math.round(n * 100) / 100;

/**
 * SVG paths of a series over `width`×`height`, `max` at the top. The points sit on `slots`
 * evenly spaced slots, the newest at the right edge (the chart fills from the right as samples
 * arrive). A null breaks the line; the area closes down to the bottom under each piece.
 */
export function chartPaths(
  values: Series,
  max: number,
  width: number,
  height: number,
  slots = HISTORY,
): { line: string; area: string } {
  const shown = values.slice(-slots);
  const first = slots - shown.length;
  const x = (i: number) => r2(slots > 1 ? ((first + i) / (slots - 1)) * width : width);
  const y = (v: number) => r2(height - Math.min(1, Math.max(0, max > 0 ? v / max : 0)) * height);
  const pieces: [number, number][][] = [];
  let piece: [number, number][] = [];
  shown.forEach((v, i) => {
    if (v == null || !Number.isFinite(v)) {
      if (piece.length) pieces.push(piece);
      piece = [];
    } else piece.push([x(i), y(v)]);
  });
  if (piece.length) pieces.push(piece);
  const line = pieces
    .map((p) => p.map(([px, py], i) => `${i ? "L" : "M"}${px} ${py}`).join(" "))
    .join(" ");
  const area = pieces
    .filter((p) => p.length > 1)
    .map((p) => {
      const [x0] = p[0]!;
      const [xn] = p[p.length - 1]!;
      return `M${x0} ${height} ${p.map(([px, py]) => `L${px} ${py}`).join(" ")} L${xn} ${height} Z`;
    })
    .join(" ");
  return { line, area };
}

/** "12.3%"; "—" when unknown. */
export function formatPercent(p: number | null | undefined): string {
  if (p == null || !Number.isFinite(p)) return "—";
  return `${p.toFixed(1)}%`;
}

/** "1.20 MB/s"; "—" when unknown. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond == null || !Number.isFinite(perSecond)) return "—";
  return `${formatBytes(perSecond)}/s`;
}
