// The app's keyboard shortcuts: which key press runs which action, and how a shortcut is written
// ("Ctrl+K", or "⌘K" on macOS). Ctrl on Linux and Windows is Cmd on macOS. Pure functions.

import { PAGES } from "../shell/pages";

/** A key pressed with Ctrl (Cmd on macOS); `key` is lower case ("k", "1", ","). */
export interface Shortcut {
  key: string;
  shift?: boolean;
}

/** The palette's own id (it is not one of its rows). */
export const PALETTE = "palette";

/**
 * Action id → its shortcuts; the first is the one shown. The pages go by their place in the
 * sidebar (Ctrl+1…); Settings also answers the usual Ctrl+,.
 */
export const SHORTCUTS: Readonly<Record<string, readonly Shortcut[]>> = {
  [PALETTE]: [{ key: "k" }],
  ...Object.fromEntries(
    PAGES.map((p, i) => [
      `action:page:${p.id}`,
      p.id === "settings" ? [{ key: "," }, { key: String(i + 1) }] : [{ key: String(i + 1) }],
    ]),
  ),
  "action:run": [{ key: "n" }],
  "action:build": [{ key: "b" }],
};

/** The fields of a KeyboardEvent the mapping reads. */
export type KeyInput = Pick<
  KeyboardEvent,
  "key" | "code" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey"
> & { repeat?: boolean };

/** Whether the app runs on macOS (Cmd instead of Ctrl, symbols instead of names). */
export function isMac(
  nav: { platform?: string; userAgent?: string } | undefined = typeof navigator === "undefined"
    ? undefined
    : navigator,
): boolean {
  return /Mac|iPhone|iPad/.test(nav?.platform || nav?.userAgent || "");
}

function pressed(e: KeyInput, s: Shortcut, mac: boolean): boolean {
  // The command key alone: Ctrl (not Cmd) elsewhere, Cmd (not Ctrl) on macOS. No Alt: Ctrl+Alt
  // is AltGr on Windows keyboards, which types characters.
  const mod = mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  if (!mod || e.altKey || e.shiftKey !== !!s.shift) return false;
  if (e.key.toLowerCase() === s.key) return true;
  // Digits by their key's place too: Ctrl+1 gives "&" on a French keyboard.
  return /^\d$/.test(s.key) && e.code === `Digit${s.key}`;
}

/** The action a key press asks for, if any. */
export function shortcutAction(e: KeyInput, mac: boolean): string | null {
  for (const [id, list] of Object.entries(SHORTCUTS))
    if (list.some((s) => pressed(e, s, mac))) return id;
  return null;
}

/** Where the key press happens, for {@link globalAction}. */
export interface KeyContext {
  mac: boolean;
  /** The key goes to a terminal (xterm.js): it needs every Ctrl key (Ctrl+K, Ctrl+B, Ctrl+N…). */
  inTerminal: boolean;
  /** A dialog is open (the palette or another): only the palette's key acts. */
  dialogOpen: boolean;
}

/**
 * What the window's key handler does with a key press: the action to run (the caller prevents
 * the key's default), or null to leave the key alone.
 */
export function globalAction(e: KeyInput, at: KeyContext): string | null {
  // A held key runs its action once.
  if (at.inTerminal || e.repeat) return null;
  const id = shortcutAction(e, at.mac);
  if (!id || (at.dialogOpen && id !== PALETTE)) return null;
  return id;
}

/** "Ctrl+K", "Ctrl+Shift+K"; on macOS "⌘K", "⇧⌘K". */
export function formatShortcut(s: Shortcut, mac: boolean): string {
  const key = s.key.toUpperCase();
  return mac ? `${s.shift ? "⇧" : ""}⌘${key}` : `Ctrl+${s.shift ? "Shift+" : ""}${key}`;
}

/** The shown shortcut of an action, or null when it has none. */
export function shortcutLabel(id: string, mac: boolean = isMac()): string | null {
  const s = SHORTCUTS[id]?.[0];
  return s ? formatShortcut(s, mac) : null;
}

/** A button's tooltip with its shortcut: "Run a container (Ctrl+N)". */
export function withShortcut(title: string, id: string, mac: boolean = isMac()): string {
  const k = shortcutLabel(id, mac);
  return k ? `${title} (${k})` : title;
}
