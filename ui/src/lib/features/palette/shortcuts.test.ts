import { describe, expect, it } from "vitest";
import {
  formatShortcut,
  globalAction,
  isMac,
  shortcutAction,
  shortcutLabel,
  withShortcut,
  type KeyInput,
} from "./shortcuts";

const key = (k: string, over: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  code: /^\d$/.test(k) ? `Digit${k}` : `Key${k.toUpperCase()}`,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...over,
});
const ctrl = (k: string, over: Partial<KeyInput> = {}) => key(k, { ctrlKey: true, ...over });
const cmd = (k: string, over: Partial<KeyInput> = {}) => key(k, { metaKey: true, ...over });

describe("shortcutAction", () => {
  it("maps Ctrl keys elsewhere and Cmd keys on macOS", () => {
    expect(shortcutAction(ctrl("k"), false)).toBe("palette");
    expect(shortcutAction(cmd("k"), true)).toBe("palette");
    // The other one's modifier does nothing.
    expect(shortcutAction(cmd("k"), false)).toBeNull();
    expect(shortcutAction(ctrl("k"), true)).toBeNull();
    // Both at once, a plain key, Alt (AltGr) or Shift added: nothing.
    expect(shortcutAction(ctrl("k", { metaKey: true }), false)).toBeNull();
    expect(shortcutAction(key("k"), false)).toBeNull();
    expect(shortcutAction(ctrl("k", { altKey: true }), false)).toBeNull();
    expect(shortcutAction(ctrl("K", { shiftKey: true }), false)).toBeNull();
    // Caps Lock gives "K".
    expect(shortcutAction(ctrl("K"), false)).toBe("palette");
  });

  it("maps the pages by their place in the sidebar, and the actions", () => {
    expect(shortcutAction(ctrl("1"), false)).toBe("action:page:containers");
    expect(shortcutAction(ctrl("2"), false)).toBe("action:page:images");
    expect(shortcutAction(ctrl("3"), false)).toBe("action:page:build");
    expect(shortcutAction(ctrl("4"), false)).toBe("action:page:registries");
    expect(shortcutAction(ctrl("5"), false)).toBe("action:page:settings");
    expect(shortcutAction(cmd(","), true)).toBe("action:page:settings");
    expect(shortcutAction(ctrl(",", { code: "Comma" }), false)).toBe("action:page:settings");
    expect(shortcutAction(ctrl("n"), false)).toBe("action:run");
    expect(shortcutAction(cmd("b"), true)).toBe("action:build");
    expect(shortcutAction(ctrl("6"), false)).toBeNull();
    expect(shortcutAction(ctrl("j"), false)).toBeNull();
  });

  it("finds a digit by its key's place when the layout types something else", () => {
    // Ctrl+1 on a French keyboard.
    expect(shortcutAction(ctrl("&", { code: "Digit1" }), false)).toBe("action:page:containers");
  });
});

describe("globalAction", () => {
  const at = { mac: false, inTerminal: false, dialogOpen: false };

  it("leaves every key to a terminal", () => {
    expect(globalAction(ctrl("k"), { ...at, inTerminal: true })).toBeNull();
    expect(globalAction(ctrl("1"), { ...at, inTerminal: true })).toBeNull();
  });

  it("only opens or closes the palette while a dialog is open", () => {
    expect(globalAction(ctrl("k"), { ...at, dialogOpen: true })).toBe("palette");
    expect(globalAction(ctrl("n"), { ...at, dialogOpen: true })).toBeNull();
    expect(globalAction(ctrl("n"), at)).toBe("action:run");
  });

  it("runs a held key once", () => {
    expect(globalAction(ctrl("k", { repeat: true }), at)).toBeNull();
  });
});

describe("formatShortcut", () => {
  it("writes Ctrl+ names elsewhere and symbols on macOS", () => {
    expect(formatShortcut({ key: "k" }, false)).toBe("Ctrl+K");
    expect(formatShortcut({ key: "k" }, true)).toBe("⌘K");
    expect(formatShortcut({ key: "p", shift: true }, false)).toBe("Ctrl+Shift+P");
    expect(formatShortcut({ key: "p", shift: true }, true)).toBe("⇧⌘P");
    expect(formatShortcut({ key: "," }, true)).toBe("⌘,");
  });

  it("labels an action by its first shortcut", () => {
    expect(shortcutLabel("action:page:settings", false)).toBe("Ctrl+,");
    expect(shortcutLabel("action:page:images", true)).toBe("⌘2");
    expect(shortcutLabel("action:pull", false)).toBeNull();
    expect(withShortcut("Run a container", "action:run", false)).toBe("Run a container (Ctrl+N)");
    expect(withShortcut("Pull", "action:pull", false)).toBe("Pull");
  });
});

describe("isMac", () => {
  it("reads the platform, or the user agent", () => {
    expect(isMac({ platform: "MacIntel" })).toBe(true);
    expect(isMac({ platform: "Linux x86_64" })).toBe(false);
    expect(isMac({ platform: "", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0)" })).toBe(
      true,
    );
    expect(isMac({ platform: "Win32" })).toBe(false);
    expect(isMac(undefined)).toBe(false);
  });
});
