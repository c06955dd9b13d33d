import { describe, expect, it } from "vitest";
import type { Segment } from "../../../ansi";
import { LogBuffer } from "./buffer";
import {
  compileQuery,
  droppedNotice,
  endMessage,
  formatLogTime,
  highlight,
  matchRanges,
  DRAW_SHARE,
  MAX_REDRAW_MS,
  REDRAW_MS,
  redrawInterval,
  RowIndex,
  smoothCost,
  wrappedRows,
} from "./view";

const seg = (text: string, fg: number | null = null): Segment => ({
  text,
  fg,
  bg: null,
  bold: false,
  italic: false,
  underline: false,
});

describe("compileQuery", () => {
  it("is case-insensitive unless asked, and reports an invalid pattern", () => {
    expect(compileQuery("", false)).toEqual({ re: null, error: null });
    const q = compileQuery("err(or)?", false);
    expect(q.re?.test("ERROR")).toBe(true);
    expect(compileQuery("err", true).re?.test("ERR")).toBe(false);
    const bad = compileQuery("([", false);
    expect(bad.re).toBeNull();
    expect(bad.error).toBe("Invalid regular expression: Unterminated character class");
  });
});

describe("matchRanges and highlight", () => {
  it("finds every match and skips empty ones", () => {
    expect(matchRanges("a-b-a", /a/)).toEqual([
      [0, 1],
      [4, 5],
    ]);
    expect(matchRanges("abc", /x*/)).toEqual([]);
    expect(matchRanges("aaaa", /a/, 2)).toHaveLength(2);
  });

  it("splits styled segments at match boundaries, keeping their style", () => {
    const pieces = highlight([seg("WARN", 3), seg(" slow query")], [[2, 8]]);
    expect(pieces.map((p) => [p.text, p.mark, p.fg])).toEqual([
      ["WA", false, 3],
      ["RN", true, 3],
      [" slo", true, null],
      ["w query", false, null],
    ]);
    expect(highlight([seg("abc")], [])).toEqual([{ ...seg("abc"), mark: false }]);
    const two = highlight(
      [seg("abcabc")],
      [
        [0, 1],
        [3, 4],
      ],
    );
    expect(two.map((p) => `${p.mark ? "[" : ""}${p.text}`)).toEqual(["[a", "bc", "[a", "bc"]);
  });
});

describe("formatLogTime", () => {
  it("shows local HH:MM:SS.mmm from RFC 3339 with nanoseconds", () => {
    const ts = "2024-11-28T09:30:05.123456789Z";
    const d = new Date(Date.UTC(2024, 10, 28, 9, 30, 5, 123));
    const p = (n: number) => String(n).padStart(2, "0");
    expect(formatLogTime(ts)).toBe(
      `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.123`,
    );
    expect(formatLogTime("2024-11-28T09:30:05Z")).toMatch(/^\d\d:\d\d:05\.000$/);
    expect(formatLogTime("2024-11-28T09:30:05.5+02:00")).toMatch(/^\d\d:\d\d:05\.500$/);
    expect(formatLogTime("yesterday")).toBe("yesterday");
  });
});

describe("notices", () => {
  it("words the dropped lines and the end of the stream", () => {
    expect(droppedNotice(200_000, 1234)).toBe(
      "Showing the last 200,000 lines; 1,234 older lines dropped (buffer limit).",
    );
    expect(endMessage({ reason: "stopped", lines: 0, lastTimestamp: null })).toBe(
      "Container stopped — logs ended.",
    );
    expect(endMessage({ reason: "removed", lines: 0, lastTimestamp: null })).toBe(
      "Container removed — logs ended.",
    );
    expect(endMessage({ reason: "daemonLost", lines: 0, lastTimestamp: null })).toMatch(
      /^Connection to Docker lost/,
    );
    expect(endMessage({ reason: "ended", lines: 0, lastTimestamp: null })).toBe("End of the log.");
  });
});

describe("RowIndex", () => {
  it("places wrapped lines, through appends, evictions, a clear and a width change", () => {
    const b = new LogBuffer({ maxLines: 4 });
    const rows = new RowIndex((buf, i, cols) => wrappedRows(buf.get(i)!.text, cols));
    const add = (n: number) => b.append({ stream: "stdout", timestamp: null, text: "x".repeat(n) });
    add(5); // 1 row at 10 cols
    add(25); // 3
    add(10); // 1
    rows.sync(b, 10);
    expect([0, 1, 2, 3].map((i) => rows.rowsBefore(b, i))).toEqual([0, 1, 4, 5]);
    expect(rows.indexAt(b, 0)).toBe(0);
    expect(rows.indexAt(b, 3)).toBe(1);
    expect(rows.indexAt(b, 4)).toBe(2);
    add(1);
    add(31); // evicts the first: 3, 1, 1, 4
    rows.sync(b, 10);
    expect([0, 1, 2, 3, 4].map((i) => rows.rowsBefore(b, i))).toEqual([0, 3, 4, 5, 9]);
    expect(rows.set(b, 1, 2)).toBe(true); // measured: 2 rows, not 1
    expect(rows.set(b, 1, 2)).toBe(false);
    expect([0, 1, 2, 3, 4].map((i) => rows.rowsBefore(b, i))).toEqual([0, 3, 5, 6, 10]);
    expect(rows.indexAt(b, 4)).toBe(1);
    rows.sync(b, 100);
    expect(rows.rowsBefore(b, 4)).toBe(4);
    b.clear();
    add(15);
    rows.sync(b, 10);
    expect(rows.rowsBefore(b, 1)).toBe(2);
    expect(wrappedRows("\tab", 4)).toBe(3);
  });
});

describe("redrawInterval", () => {
  it("is REDRAW_MS for cheap redraws and grows with their cost up to MAX_REDRAW_MS", () => {
    expect(redrawInterval(0)).toBe(REDRAW_MS);
    expect(redrawInterval(5)).toBe(REDRAW_MS);
    expect(redrawInterval(REDRAW_MS / DRAW_SHARE)).toBe(REDRAW_MS);
    // A 40 ms redraw: about one part in DRAW_SHARE of the time goes to redraws.
    expect(redrawInterval(40)).toBe(40 * DRAW_SHARE);
    expect(redrawInterval(40)).toBeGreaterThan(REDRAW_MS);
    expect(redrawInterval(60)).toBeGreaterThan(redrawInterval(50));
    expect(redrawInterval(1000)).toBe(MAX_REDRAW_MS);
  });

  it("treats a cost it cannot use as free", () => {
    for (const c of [NaN, -5, -Infinity]) expect(redrawInterval(c)).toBe(REDRAW_MS);
    expect(redrawInterval(Infinity)).toBe(REDRAW_MS);
  });
});

describe("smoothCost", () => {
  it("starts at the first cost and then averages the last with what came before", () => {
    expect(smoothCost(0, 30)).toBe(30);
    expect(smoothCost(30, 10)).toBe(20);
    expect(smoothCost(20, 60)).toBe(40);
  });

  it("ignores a cost that is not a number", () => {
    expect(smoothCost(25, NaN)).toBe(25);
    expect(smoothCost(25, -1)).toBe(25);
  });
});
