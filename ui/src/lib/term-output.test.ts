import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TermOutput } from "./term-output.svelte";

const texts = (o: TermOutput) => o.lines.map((l) => l.segments.map((s) => s.text).join(""));

describe("TermOutput", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] }));
  afterEach(() => vi.useRealTimers());

  it("draws what is written once per flush period, not per write", () => {
    const o = new TermOutput();
    o.write("one\n");
    o.write("two\n");
    expect(o.lines).toEqual([]);
    expect(o.empty()).toBe(false);
    vi.advanceTimersByTime(50);
    expect(texts(o)).toEqual(["one", "two"]);
  });

  it("draws at once on flush, ends the last line, copies as text and clears", () => {
    const o = new TermOutput();
    o.write("a\nb");
    o.end();
    o.flush();
    expect(texts(o)).toEqual(["a", "b"]);
    expect(o.text()).toBe("a\nb");
    o.clear();
    expect(o.lines).toEqual([]);
    expect(o.empty()).toBe(true);
    expect(o.dropped).toBe(0);
  });

  it("stops its timer when disposed", () => {
    const o = new TermOutput();
    o.write("late\n");
    o.dispose();
    vi.advanceTimersByTime(100);
    expect(o.lines).toEqual([]);
  });
});
