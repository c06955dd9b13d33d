import { describe, expect, it } from "vitest";
import { applyTheme } from "./theme";

function fakeMedia(matches: boolean) {
  const listeners = new Set<() => void>();
  return {
    matches,
    addEventListener: (_: string, cb: () => void) => listeners.add(cb),
    removeEventListener: (_: string, cb: () => void) => listeners.delete(cb),
    flip(next: boolean) {
      this.matches = next;
      for (const cb of listeners) cb();
    },
    listeners,
  };
}

describe("applyTheme", () => {
  it("sets the chosen theme", () => {
    const root = document.createElement("html");
    applyTheme("dark", root, fakeMedia(false) as never);
    expect(root.dataset.theme).toBe("dark");
    applyTheme("light", root, fakeMedia(true) as never);
    expect(root.dataset.theme).toBe("light");
  });

  it("follows the OS live for system, until stopped", () => {
    const root = document.createElement("html");
    const media = fakeMedia(true);
    const stop = applyTheme("system", root, media as never);
    expect(root.dataset.theme).toBe("dark");
    media.flip(false);
    expect(root.dataset.theme).toBe("light");
    stop();
    media.flip(true);
    expect(root.dataset.theme).toBe("light");
    expect(media.listeners.size).toBe(0);
  });
});
