import { describe, expect, it, vi } from "vitest";

// xterm.js asks for a 2D canvas when it loads (jsdom has none; it copes with null).
vi.hoisted(() => {
  HTMLCanvasElement.prototype.getContext = (() => null) as never;
});

import { Terminal } from "@xterm/xterm";
import pkg from "../../../../../package.json";
import { createTerminal, harden, INERT_OSC, themeFromCss } from "./xterm";

const noCss = () => "";

function write(t: Terminal, data: string): Promise<void> {
  return new Promise((r) => t.write(data, r));
}

const firstLine = (t: Terminal) => t.buffer.active.getLine(0)!.translateToString(true);

describe("the hardened terminal", () => {
  it("ignores OSC 52: a container cannot write the clipboard", async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, "clipboard", {
      value: { writeText, readText: vi.fn() },
      configurable: true,
    });
    const t = createTerminal(noCss);
    await write(t, "a\x1b]52;c;SGVsbG8=\x07b\x1b]52;p;?\x1b\\c");
    expect(writeText).not.toHaveBeenCalled();
    expect(firstLine(t)).toBe("abc");
    t.dispose();
  });

  it("swallows OSC 8 hyperlinks before xterm.js's own handler: the text stays, no link", async () => {
    const t = new Terminal();
    // A handler registered before harden() sits where xterm.js's built-in one does: behind.
    const builtinSeat = vi.fn(() => false);
    t.parser.registerOscHandler(8, builtinSeat);
    harden(t);
    await write(t, "\x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07 done");
    expect(builtinSeat).not.toHaveBeenCalled();
    expect(firstLine(t)).toBe("click me done");
    t.dispose();
  });

  it("a probe in that seat does see OSC 8 without harden() (the test above means something)", async () => {
    const t = new Terminal();
    const probe = vi.fn(() => false);
    t.parser.registerOscHandler(8, probe);
    await write(t, "\x1b]8;;https://evil.example/\x07x\x1b]8;;\x07");
    expect(probe).toHaveBeenCalled();
    t.dispose();
  });

  it("swallows only hyperlinks and the clipboard: a title still arrives", async () => {
    expect([...INERT_OSC]).toEqual([8, 52]);
    const t = createTerminal(noCss);
    const titles: string[] = [];
    t.onTitleChange((s) => titles.push(s));
    await write(t, "\x1b]0;my title\x07");
    expect(titles).toEqual(["my title"]);
    t.dispose();
  });

  it("opens no link even when asked to", () => {
    const t = createTerminal(noCss);
    const open = vi.spyOn(window, "open").mockImplementation(() => null);
    t.options.linkHandler?.activate(new MouseEvent("click"), "https://evil.example/", {
      start: { x: 1, y: 1 },
      end: { x: 5, y: 1 },
    });
    expect(open).not.toHaveBeenCalled();
    open.mockRestore();
    t.dispose();
  });

  it("has neither the web-links nor the clipboard addon", () => {
    const deps = { ...pkg.dependencies, ...pkg.devDependencies } as Record<string, string>;
    expect(Object.keys(deps).filter((d) => d.startsWith("@xterm/"))).toEqual(
      expect.not.arrayContaining(["@xterm/addon-web-links", "@xterm/addon-clipboard"]),
    );
    expect(deps["@xterm/xterm"]).toBeTruthy();
  });
});

describe("themeFromCss", () => {
  it("takes the terminal colours and the 16 ANSI colours from app.css's variables", () => {
    const vars: Record<string, string> = {
      "--term-bg": " #0f1114",
      "--term-fg": "#d6dae0",
      "--accent": "#5b8ff9",
      "--text-3": "#7c838e",
      "--ansi-1": "#ff7b72",
      "--ansi-15": "#f0f6fc",
    };
    const theme = themeFromCss((n) => vars[n] ?? "");
    expect(theme).toMatchObject({
      background: "#0f1114",
      foreground: "#d6dae0",
      cursor: "#d6dae0",
      cursorAccent: "#0f1114",
      selectionBackground: "#5b8ff955",
      red: "#ff7b72",
      brightWhite: "#f0f6fc",
    });
    expect(theme.green).toBeUndefined();
  });

  it("falls back to light colours without the variables", () => {
    expect(themeFromCss(noCss)).toMatchObject({ background: "#ffffff", foreground: "#1f2328" });
  });
});
