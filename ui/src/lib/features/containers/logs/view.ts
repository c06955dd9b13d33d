// Pure helpers of the log viewer: the search pattern, highlighting inside styled segments,
// timestamps, the notices' wording, and where each line sits when lines wrap.

import type { Segment } from "../../../ansi";
import type { LogBuffer } from "./buffer";
import type { LogsEnd } from "./types";

export type Query = { re: RegExp | null; error: string | null };

/** The search box's text as a regular expression; an invalid one matches nothing. */
export function compileQuery(text: string, matchCase: boolean): Query {
  if (text === "") return { re: null, error: null };
  try {
    return { re: new RegExp(text, matchCase ? "" : "i"), error: null };
  } catch (e) {
    // V8 says "Invalid regular expression: /(b/i: Unterminated group": keep the why.
    const why = (e instanceof Error ? e.message : String(e)).replace(
      /^Invalid regular expression: \/.*\/[a-z]*: /s,
      "",
    );
    return { re: null, error: `Invalid regular expression: ${why}` };
  }
}

/** Most highlighted matches in one line (a pattern like `.` would otherwise make thousands). */
export const MAX_MARKS = 1000;

/** `[start, end)` of each match of `re` in `text`; empty matches are skipped. */
export function matchRanges(text: string, re: RegExp, max = MAX_MARKS): [number, number][] {
  const g = new RegExp(re.source, re.flags.includes("g") ? re.flags : re.flags + "g");
  const out: [number, number][] = [];
  let m: RegExpExecArray | null;
  while (out.length < max && (m = g.exec(text)) !== null) {
    if (m[0].length === 0) {
      g.lastIndex++;
      continue;
    }
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

export interface Piece extends Segment {
  /** Part of a search match. */
  mark: boolean;
}

/** Splits styled segments at the match boundaries (offsets into the segments' joined text). */
export function highlight(segments: Segment[], ranges: [number, number][]): Piece[] {
  if (ranges.length === 0) return segments.map((s) => ({ ...s, mark: false }));
  const out: Piece[] = [];
  let pos = 0;
  let r = 0;
  for (const s of segments) {
    const end = pos + s.text.length;
    let at = pos;
    while (at < end) {
      while (r < ranges.length && ranges[r]![1] <= at) r++;
      const range = ranges[r];
      let next: number;
      let mark: boolean;
      if (!range || range[0] >= end) {
        next = end;
        mark = false;
      } else if (range[0] > at) {
        next = range[0];
        mark = false;
      } else {
        next = Math.min(range[1], end);
        mark = true;
      }
      out.push({ ...s, text: s.text.slice(at - pos, next - pos), mark });
      at = next;
    }
    pos = end;
  }
  return out;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)$/i;

/** The daemon's RFC 3339 timestamp (nanoseconds) in local time, `HH:MM:SS.mmm`. */
export function formatLogTime(ts: string): string {
  const m = RFC3339.exec(ts.trim());
  if (!m) return ts;
  const ms = (m[2] ?? "").padEnd(3, "0").slice(0, 3);
  const zone = m[3]!.toUpperCase().replace(/^([+-]\d\d)(\d\d)$/, "$1:$2");
  const d = new Date(`${m[1]}.${ms}${zone}`);
  if (Number.isNaN(d.getTime())) return ts;
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** The notice for lines evicted by the caps. */
export function droppedNotice(kept: number, dropped: number): string {
  return (
    `Showing the last ${formatCount(kept)} line${kept === 1 ? "" : "s"}; ` +
    `${formatCount(dropped)} older line${dropped === 1 ? "" : "s"} dropped (buffer limit).`
  );
}

/** Why the stream ended, in words. */
export function endMessage(end: LogsEnd): string {
  const why = {
    stopped: "Container stopped — logs ended.",
    removed: "Container removed — logs ended.",
    daemonLost: "Connection to Docker lost — logs stopped until the engine is back.",
    cancelled: "Log stream cancelled.",
    ended: "End of the log.",
  }[end.reason];
  return why;
}

/**
 * Visual rows per line when lines wrap at `cols` columns: an estimate from the drawn text's
 * length (a tab counts as 8), for placing the scroll window. The rows themselves are laid out
 * by the browser, so a wrong estimate moves lines a little, never overlaps them.
 */
export function wrappedRows(text: string, cols: number, extra = 0): number {
  let len = extra;
  for (let i = text.indexOf("\t"); i >= 0; i = text.indexOf("\t", i + 1)) len += 7;
  len += text.length;
  return Math.max(1, Math.ceil(len / Math.max(1, cols)));
}

/**
 * The cumulative rows of the buffer's lines, kept by id so appends and evictions cost O(1);
 * rebuilt when the column count or the buffer changes, or the buffer was cleared.
 */
export class RowIndex {
  /** cum[k]: rows of the lines with ids base … base + k - 1. */
  private cum: number[] = [0];
  private base = 1;
  private cols = -1;
  private owner: LogBuffer | null = null;

  constructor(private readonly rowsOf: (buf: LogBuffer, i: number, cols: number) => number) {}

  /** Brings the index up to date with the buffer; call before the other methods. */
  sync(buf: LogBuffer, cols: number): void {
    const first = buf.firstId;
    const known = this.base + this.cum.length - 1; // the first id not indexed yet
    if (buf !== this.owner || cols !== this.cols || first < this.base || first > known) {
      this.owner = buf;
      this.cols = cols;
      this.base = first;
      this.cum = [0];
    } else if (first - this.base > 4096 && first - this.base > this.cum.length / 2) {
      this.cum = this.cum.slice(first - this.base);
      this.base = first;
    }
    const from = this.base + this.cum.length - 1 - first;
    let sum = this.cum[this.cum.length - 1]!;
    for (let i = from; i < buf.length; i++) {
      sum += this.rowsOf(buf, i, cols);
      this.cum.push(sum);
    }
  }

  /**
   * Replaces the estimate for line `i` with its measured rows (until the next rebuild). O(lines
   * after it). Returns whether anything changed.
   */
  set(buf: LogBuffer, i: number, rows: number): boolean {
    const k = buf.firstId - this.base + i;
    if (i < 0 || i >= buf.length || k + 1 >= this.cum.length) return false;
    const d = rows - (this.cum[k + 1]! - this.cum[k]!);
    if (d === 0) return false;
    for (let j = k + 1; j < this.cum.length; j++) this.cum[j]! += d;
    return true;
  }

  /** Rows above the line at index `i` (0 = the buffer's oldest line). */
  rowsBefore(buf: LogBuffer, i: number): number {
    const o = buf.firstId - this.base;
    return this.cum[o + i]! - this.cum[o]!;
  }

  /** The index of the line that holds row `row`. */
  indexAt(buf: LogBuffer, row: number): number {
    if (buf.length === 0) return 0;
    let lo = 0;
    let hi = buf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.rowsBefore(buf, mid) <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** The least time between two redraws while batches pour in (ms). */
export const REDRAW_MS = 120;
/** The most: a view that moves at least about twice a second. */
export const MAX_REDRAW_MS = 500;
/** Redraws may take about this share of the time (1 in `DRAW_SHARE`), the rest is intake. */
export const DRAW_SHARE = 8;

/**
 * How long to wait between redraws while batches pour in, given what a redraw costs (ms: the
 * update, layout and paint of the rows in view, smoothed). Where a redraw is cheap that is
 * `REDRAW_MS`; where it is dear (a slow or busy machine) redraws are spaced so that they take
 * about one part in `DRAW_SHARE` of the time, up to `MAX_REDRAW_MS`.
 */
export function redrawInterval(cost: number): number {
  const c = Number.isFinite(cost) && cost > 0 ? cost : 0;
  return Math.min(MAX_REDRAW_MS, Math.max(REDRAW_MS, c * DRAW_SHARE));
}

/** The running estimate of a redraw's cost: half the last one, half what came before. */
export function smoothCost(previous: number, last: number): number {
  if (!(Number.isFinite(last) && last >= 0)) return previous;
  return previous > 0 ? (previous + last) / 2 : last;
}
