import { describe, expect, it } from "vitest";
import { focusNextRow, visibleRange } from "./virtual";

describe("visibleRange", () => {
  it("renders only the rows in view plus overscan", () => {
    const r = visibleRange(0, 360, 36, 10_000, 5);
    expect(r.start).toBe(0);
    expect(r.end).toBe(16); // 10 visible + 1 partial + 5 overscan
    expect(r.total).toBe(360_000);
  });

  it("follows the scroll position", () => {
    const r = visibleRange(36_000, 360, 36, 10_000, 5);
    expect(r.start).toBe(995);
    expect(r.offset).toBe(995 * 36);
    expect(r.end - r.start).toBeLessThan(30);
  });

  it("clamps past the end and handles short and empty lists", () => {
    const end = visibleRange(1e9, 360, 36, 1000, 2);
    expect(end.end).toBe(1000);
    expect(end.start).toBeGreaterThan(980);
    expect(visibleRange(0, 360, 36, 3).end).toBe(3);
    expect(visibleRange(50, 360, 36, 0)).toEqual({ start: 0, end: 0, offset: 0, total: 0 });
  });

  it("keeps the window size bounded whatever the list size", () => {
    for (const count of [10, 1_000, 100_000, 5_000_000]) {
      const r = visibleRange(count * 18, 800, 36, count);
      expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(800 / 36) + 1 + 12);
      expect(r.start).toBeGreaterThanOrEqual(0);
      expect(r.end).toBeLessThanOrEqual(count);
    }
  });
});

describe("focusNextRow", () => {
  it("focuses the row below on ↓ and the one above on ↑, and returns it", () => {
    const [a, b] = [document.createElement("div"), document.createElement("div")];
    for (const el of [a, b]) {
      el.tabIndex = 0;
      document.body.append(el);
    }
    const key = (el: HTMLElement, k: string) => {
      const e = new KeyboardEvent("keydown", { key: k, cancelable: true });
      let got: HTMLElement | null = null;
      el.addEventListener("keydown", (ev) => (got = focusNextRow(ev)), { once: true });
      el.dispatchEvent(e);
      return { got, prevented: e.defaultPrevented };
    };
    expect(key(a, "ArrowDown")).toEqual({ got: b, prevented: true });
    expect(document.activeElement).toBe(b);
    expect(key(b, "ArrowUp").got).toBe(a);
    expect(document.activeElement).toBe(a);
    expect(key(a, "ArrowUp").got).toBeNull();
  });
});
