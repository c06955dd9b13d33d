import { describe, expect, it } from "vitest";
import { DISPLAY_MAX, LINE_OVERHEAD, LogBuffer, lineCost, utf8Length } from "./buffer";
import type { LogLine } from "./types";
import { decodeBatch, encodeBatch } from "./batch";

const out = (text: string, timestamp: string | null = null): LogLine => ({
  stream: "stdout",
  timestamp,
  text,
});
const texts = (b: LogBuffer) => Array.from({ length: b.length }, (_, i) => b.get(i)!.text);

describe("LogBuffer", () => {
  it("keeps the newest lines within the line cap and counts the evicted ones", () => {
    const b = new LogBuffer({ maxLines: 5 });
    for (let i = 0; i < 12; i++) b.append(out(`line ${i}`));
    expect(b.length).toBe(5);
    expect(b.dropped).toBe(7);
    expect(texts(b)).toEqual(["line 7", "line 8", "line 9", "line 10", "line 11"]);
    expect(b.get(5)).toBeUndefined();
    expect(b.get(-1)).toBeUndefined();
  });

  it("gives every line a new id, increasing by one, never reused after a clear", () => {
    const b = new LogBuffer({ maxLines: 3 });
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(b.append(out(`${i}`)).id);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect([b.firstId, b.lastId]).toEqual([5, 7]);
    expect(b.indexOfId(6)).toBe(1);
    expect(b.indexOfId(4)).toBe(-1); // evicted
    b.clear();
    expect([b.length, b.dropped, b.bytes]).toEqual([0, 0, 0]);
    expect(b.firstId).toBe(8);
    expect(b.indexOfId(7)).toBe(-1);
    expect(b.append(out("after")).id).toBe(8);
    expect(b.get(0)?.text).toBe("after");
  });

  it("keeps the bytes within the byte budget (UTF-16 estimate)", () => {
    const text = "x".repeat(100);
    const each = lineCost(text, null, false);
    expect(each).toBe(200 + LINE_OVERHEAD);
    const b = new LogBuffer({ maxLines: 1000, maxBytes: each * 3 + 10 });
    for (let i = 0; i < 10; i++) b.append(out(text));
    expect(b.length).toBe(3);
    expect(b.dropped).toBe(7);
    expect(b.bytes).toBe(each * 3);
    // One bigger line pushes out as many as it needs.
    b.append(out("y".repeat(250)));
    expect(b.bytes).toBeLessThanOrEqual(each * 3 + 10);
    expect(b.length).toBe(2);
    expect(b.dropped).toBe(9);
  });

  it("counts the timestamp, and a line with escapes twice (for its plain copy)", () => {
    const ts = "2024-11-28T09:30:00.123456789Z";
    expect(lineCost("abc", ts, false)).toBe((3 + ts.length) * 2 + LINE_OVERHEAD);
    const b = new LogBuffer();
    const plain = b.append(out("red"));
    const ansi = b.append(out("\x1b[31mred\x1b[0m"));
    expect(plain.controls).toBe(false);
    expect(ansi.controls).toBe(true);
    expect(ansi.cost).toBe(lineCost("\x1b[31mred\x1b[0m", null, true));
    expect(ansi.cost - LINE_OVERHEAD).toBe(4 * "\x1b[31mred\x1b[0m".length);
  });

  it("keeps a single line bigger than the budget, alone", () => {
    const b = new LogBuffer({ maxBytes: 1000 });
    b.append(out("small"));
    b.append(out("z".repeat(5000)));
    expect(b.length).toBe(1);
    expect(b.get(0)!.text).toHaveLength(5000);
    b.append(out("next"));
    expect(texts(b)).toEqual(["next"]);
  });

  it("holds 5 million appended lines to a 100k-line cap", () => {
    const b = new LogBuffer({ maxLines: 100_000 });
    const t0 = performance.now();
    for (let i = 0; i < 5_000_000; i++)
      b.append({ stream: "stdout", timestamp: null, text: `l${i}` });
    const ms = performance.now() - t0;
    console.info(`LogBuffer: 5,000,000 appends with a 100,000-line cap in ${ms.toFixed(0)} ms`);
    expect(b.length).toBe(100_000);
    expect(b.dropped).toBe(4_900_000);
    expect(b.get(0)!.text).toBe("l4900000");
    expect(b.get(99_999)!.text).toBe("l4999999");
    expect(b.get(0)!.id).toBe(4_900_001);
    expect(b.lastId).toBe(5_000_000);
    expect(b.bytes).toBeLessThanOrEqual(b.maxBytes);
  }, 30_000);

  it("searches the text without escape sequences, from an index, ignoring a g flag", () => {
    const b = new LogBuffer();
    b.append(out("GET /healthz 200"));
    b.append(out("\x1b[1;31mERR\x1b[0mOR upstream timed out"));
    b.append(out("error: disk full"));
    b.append(out("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07 here"));
    expect(b.find(/ERROR/)).toEqual([1]);
    expect(b.find(/error/i)).toEqual([1, 2]);
    expect(b.find(/error/i, 2)).toEqual([2]);
    const g = /error/gi;
    expect(b.find(g)).toEqual([1, 2]);
    expect(b.find(g)).toEqual([1, 2]);
    expect(b.find(/evil/)).toEqual([]); // the link target is not text
    expect(b.find(/click here/)).toEqual([3]);
    expect(b.plain(1)).toBe("ERROR upstream timed out");
    expect(b.plain(0)).toBe(b.get(0)!.text);
  });

  it("parses segments lazily, caches them, and parses only the drawn part of a huge line", () => {
    const b = new LogBuffer();
    b.append(out("\x1b[32mok\x1b[0m done"));
    const s = b.segments(0);
    expect(s.map((x) => x.text)).toEqual(["ok", " done"]);
    expect(s[0]!.fg).toBe(2);
    expect(b.segments(0)).toBe(s);
    const huge = "a".repeat(3_000_000) + "needle";
    b.append(out(huge));
    expect(b.truncated(1)).toBe(true);
    expect(b.truncated(0)).toBe(false);
    const drawn = b
      .segments(1)
      .map((x) => x.text)
      .join("");
    expect(drawn.length).toBe(DISPLAY_MAX);
    expect(b.find(/needle/)).toEqual([1]); // search looks at the whole line
    expect(b.utf8(1)).toBe(3_000_006);
  });

  it("measures UTF-8 sizes", () => {
    expect(utf8Length("abc")).toBe(3);
    expect(utf8Length("é")).toBe(2);
    expect(utf8Length("€")).toBe(3);
    expect(utf8Length("🐳")).toBe(4);
    expect(utf8Length("\ud800x")).toBe(4);
  });
});

describe("appendBatch", () => {
  // A small seeded generator: the same cases every run, many shapes of batch.
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }
  const ALPHABET = ["a", "b", " ", "\t", "\r", "\x1b[31m", "é", "😀", "\u2028", "</script>", ""];
  /** No control character (tabs are not): the batch is taken in without a scan per line. */
  const PLAIN = ALPHABET.filter((c) => c !== "\r" && c !== "\x1b[31m");

  function randomLines(r: () => number): LogLine[] {
    const alphabet = r() < 0.5 ? PLAIN : ALPHABET;
    const n = 1 + Math.floor(r() * 40);
    return Array.from({ length: n }, (_, i) => {
      const len = Math.floor(r() * 12);
      const text = Array.from(
        { length: len },
        () => alphabet[Math.floor(r() * alphabet.length)],
      ).join("");
      return {
        stream: r() < 0.3 ? "stderr" : "stdout",
        timestamp: r() < 0.8 ? `2024-05-01T10:00:00.${String(i).padStart(9, "0")}Z` : null,
        text,
      };
    });
  }

  it("keeps exactly what appending the lines one by one keeps, evictions included", () => {
    const r = rng(7);
    for (let round = 0; round < 200; round++) {
      const limits = { maxLines: 1 + Math.floor(r() * 60), maxBytes: 200 + Math.floor(r() * 4000) };
      const a = new LogBuffer(limits);
      const b = new LogBuffer(limits);
      for (let k = 0; k < 4; k++) {
        const lines = randomLines(r);
        expect(a.appendBatch(encodeBatch(lines))).toBe(lines.length);
        b.appendMany(lines);
      }
      expect([a.length, a.bytes, a.dropped, a.firstId, a.lastId]).toEqual([
        b.length,
        b.bytes,
        b.dropped,
        b.firstId,
        b.lastId,
      ]);
      for (let i = 0; i < a.length; i++) expect(a.get(i)).toEqual(b.get(i));
    }
  });

  it("marks exactly the lines with control characters (tabs are none)", () => {
    const buf = new LogBuffer();
    buf.appendBatch({ text: "plain\n\x1b[1mbold\x1b[0m\nx\ty", timestamps: "\n\n", stderr: [] });
    buf.appendBatch({ text: "a\tb\nplain", timestamps: "\n", stderr: [] });
    buf.appendBatch({ text: "del\x7f\nok\nc1\x85", timestamps: "\n\n", stderr: [] });
    const marks = Array.from({ length: buf.length }, (_, i) => buf.get(i)!.controls);
    expect(marks).toEqual([false, true, false, false, false, true, false, true]);
  });

  it("reads the batch Rust makes: stderr by index, no timestamp as null, one empty line", () => {
    const ts = "2024-05-01T10:00:00.000000001Z";
    const buf = new LogBuffer();
    expect(buf.appendBatch({ text: "a\n\nc", timestamps: `${ts}\n\n`, stderr: [1, 2] })).toBe(3);
    expect(
      [0, 1, 2].map((i) => [buf.get(i)!.stream, buf.get(i)!.timestamp, buf.get(i)!.text]),
    ).toEqual([
      ["stdout", ts, "a"],
      ["stderr", null, ""],
      ["stderr", null, "c"],
    ]);
    expect(buf.appendBatch({ text: "", timestamps: "", stderr: [] })).toBe(1);
    expect(buf.get(3)!.text).toBe("");
  });
});

describe("encodeBatch", () => {
  it("is what decodeBatch reads back", () => {
    const lines: LogLine[] = [
      { stream: "stderr", timestamp: "2024-05-01T10:00:00.1Z", text: "x\ty" },
      { stream: "stdout", timestamp: null, text: "" },
      { stream: "stderr", timestamp: null, text: "\x1b[1mz" },
    ];
    expect(encodeBatch(lines)).toEqual({
      text: "x\ty\n\n\x1b[1mz",
      timestamps: "2024-05-01T10:00:00.1Z\n\n",
      stderr: [0, 2],
    });
    expect(decodeBatch(encodeBatch(lines))).toEqual(lines);
  });
});
