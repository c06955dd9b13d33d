// The xterm.js screen, hardened for hostile output. What a container writes is drawn, never
// acted on outside the screen:
// - no clipboard writes: xterm.js has no OSC 52 handler and the clipboard addon is not used; OSC
//   52 is also swallowed here explicitly, so adding that addon later would not enable it;
// - no links: the web-links addon is not used (no URL in the output becomes clickable), OSC 8
//   hyperlinks are swallowed before xterm.js's own handler sees them, and the link handler
//   opens nothing;
// - window reports and manipulations stay off (xterm.js's `windowOptions` default).
// Only the user's Ctrl+Shift+C copies (see TerminalView).

import "@xterm/xterm/css/xterm.css";
import { Terminal, type ITheme } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";

/** OSC sequences handled (and dropped) here: 8 hyperlinks, 52 clipboard. */
export const INERT_OSC = [8, 52] as const;

/**
 * Swallows the OSC sequences in `INERT_OSC`. A handler registered later runs first, and one that
 * returns true stops the rest, xterm.js's built-in ones included.
 */
export function harden(term: Pick<Terminal, "parser">): void {
  for (const id of INERT_OSC) term.parser.registerOscHandler(id, () => true);
}

/** `#rrggbb` with an alpha byte; other colours as they are. */
function withAlpha(color: string, alpha: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}${alpha}` : color;
}

const ANSI_NAMES = [
  "black",
  "red",
  "green",
  "yellow",
  "blue",
  "magenta",
  "cyan",
  "white",
  "brightBlack",
  "brightRed",
  "brightGreen",
  "brightYellow",
  "brightBlue",
  "brightMagenta",
  "brightCyan",
  "brightWhite",
] as const;

/** The terminal's colours from app.css (`--term-bg`, `--term-fg`, `--ansi-0`…`--ansi-15`). */
export function themeFromCss(css: (name: string) => string): ITheme {
  const v = (name: string, fallback: string) => css(name).trim() || fallback;
  const bg = v("--term-bg", "#ffffff");
  const fg = v("--term-fg", "#1f2328");
  const theme: ITheme = {
    background: bg,
    foreground: fg,
    cursor: fg,
    cursorAccent: bg,
    selectionBackground: withAlpha(v("--accent", "#1d63ed"), "55"),
    selectionInactiveBackground: withAlpha(v("--text-3", "#858c97"), "40"),
  };
  ANSI_NAMES.forEach((name, i) => {
    const c = css(`--ansi-${i}`).trim();
    if (c) theme[name] = c;
  });
  return theme;
}

/** A hardened terminal, not yet opened on an element (tests use it headless). */
export function createTerminal(css: (name: string) => string): Terminal {
  const term = new Terminal({
    fontFamily: css("--mono").trim() || "monospace",
    fontSize: 12,
    cursorBlink: true,
    scrollback: 5000,
    theme: themeFromCss(css),
    allowProposedApi: false,
    // Only OSC 8 makes links in xterm.js itself, and it is swallowed; this is the second lock.
    linkHandler: { activate: () => {}, allowNonHttpProtocols: false },
  });
  harden(term);
  return term;
}

export interface XtermHandle {
  term: Terminal;
  /** Fits the terminal to its element (a no-op while the element is hidden). */
  fit(): void;
  /** Takes the colours again (after a theme change). */
  applyTheme(): void;
  dispose(): void;
}

/** Opens a hardened terminal filling `el`, coloured from the document's CSS variables. */
export function openXterm(el: HTMLElement): XtermHandle {
  const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name);
  const term = createTerminal(css);
  const fitAddon = new FitAddon();
  term.loadAddon(fitAddon);
  term.open(el);
  const fit = () => {
    if (fitAddon.proposeDimensions()) fitAddon.fit();
  };
  fit();
  return {
    term,
    fit,
    applyTheme: () => {
      term.options.theme = themeFromCss(css);
    },
    dispose: () => term.dispose(),
  };
}
