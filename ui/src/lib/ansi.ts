// ANSI output (a build's log) as styled text segments, safely: only SGR colours and bold, italic,
// underline are kept; every other escape sequence (OSC incl. hyperlinks and clipboard writes,
// cursor moves, screen clears, DCS/APC strings…) and every other control character is dropped.
// The result is plain text plus a style; nothing here ever becomes HTML or a link.

/** 0–15: the theme's palette (see `.ansi-fg-N` in app.css); a string: a computed `#rrggbb`. */
export type AnsiColor = number | string;

export interface AnsiStyle {
  fg: AnsiColor | null;
  bg: AnsiColor | null;
  bold: boolean;
  italic: boolean;
  underline: boolean;
}

export interface Segment extends AnsiStyle {
  text: string;
}

export interface TermLine {
  id: number;
  segments: Segment[];
}

const PLAIN: AnsiStyle = { fg: null, bg: null, bold: false, italic: false, underline: false };

const ESC = 0x1b;
const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;
/** An escape sequence longer than this is not a real one: it is dropped whole. */
const MAX_PARAMS = 256;

type Mode =
  | "text"
  | "esc" // after ESC
  | "escInt" // ESC + intermediate bytes, waiting for the final byte
  | "csi"
  | "str" // OSC, DCS, SOS, PM, APC: a string ended by BEL or ST
  | "strEsc"; // ESC inside a string: `\` ends it

function sameStyle(a: AnsiStyle, b: AnsiStyle): boolean {
  return (
    a.fg === b.fg &&
    a.bg === b.bg &&
    a.bold === b.bold &&
    a.italic === b.italic &&
    a.underline === b.underline
  );
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** The xterm 256-colour palette: 0–15 stay palette indices, the rest become `#rrggbb`. */
export function color256(n: number): AnsiColor | null {
  if (!Number.isInteger(n) || n < 0 || n > 255) return null;
  if (n < 16) return n;
  if (n < 232) {
    const levels = [0, 95, 135, 175, 215, 255];
    const i = n - 16;
    const r = levels[Math.floor(i / 36)]!;
    const g = levels[Math.floor(i / 6) % 6]!;
    const b = levels[i % 6]!;
    return `#${hex2(r)}${hex2(g)}${hex2(b)}`;
  }
  const v = 8 + (n - 232) * 10;
  return `#${hex2(v)}${hex2(v)}${hex2(v)}`;
}

function rgb(r: number, g: number, b: number): string | null {
  const ok = (x: number) => Number.isInteger(x) && x >= 0 && x <= 255;
  return ok(r) && ok(g) && ok(b) ? `#${hex2(r)}${hex2(g)}${hex2(b)}` : null;
}

/** Applies the parameters of `CSI … m` to `s`, returning the new style. */
export function applySgr(s: AnsiStyle, params: string): AnsiStyle {
  const out = { ...s };
  const groups = params === "" ? ["0"] : params.split(";");
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    const sub = group.split(":");
    const code = sub[0] === "" ? 0 : Number(sub[0]);
    if (!Number.isInteger(code)) continue;
    if (code === 0) Object.assign(out, PLAIN);
    else if (code === 1) out.bold = true;
    else if (code === 3) out.italic = true;
    else if (code === 4) out.underline = sub.length < 2 || sub[1] !== "0";
    else if (code === 22) out.bold = false;
    else if (code === 23) out.italic = false;
    else if (code === 24) out.underline = false;
    else if (code >= 30 && code <= 37) out.fg = code - 30;
    else if (code === 39) out.fg = null;
    else if (code >= 40 && code <= 47) out.bg = code - 40;
    else if (code === 49) out.bg = null;
    else if (code >= 90 && code <= 97) out.fg = code - 90 + 8;
    else if (code >= 100 && code <= 107) out.bg = code - 100 + 8;
    else if (code === 38 || code === 48) {
      let c: AnsiColor | null = null;
      if (sub.length > 1) {
        // Colon form: 38:5:n, 38:2:r:g:b or 38:2:colourspace:r:g:b.
        const n = sub.slice(1).map((x) => (x === "" ? NaN : Number(x)));
        if (n[0] === 5) c = color256(n[1] ?? NaN);
        else if (n[0] === 2) {
          const [r, g, b] = n.length >= 5 ? n.slice(2, 5) : n.slice(1, 4);
          c = rgb(r ?? NaN, g ?? NaN, b ?? NaN);
          if (c === null && sub.length >= 6)
            c = rgb(Number(sub[3]), Number(sub[4]), Number(sub[5]));
        }
      } else {
        const mode = Number(groups[i + 1]);
        if (mode === 5) {
          c = color256(Number(groups[i + 2]));
          i += 2;
        } else if (mode === 2) {
          c = rgb(Number(groups[i + 2]), Number(groups[i + 3]), Number(groups[i + 4]));
          i += 4;
        } else i += 1;
      }
      if (c !== null) {
        if (code === 38) out.fg = c;
        else out.bg = c;
      }
    }
    // Anything else (blink, inverse, fonts…) is ignored.
  }
  return out;
}

/**
 * A tiny terminal for appended output: lines of styled segments. Feed it chunks as they arrive
 * (an escape sequence may be split between two chunks). `\r` followed by text rewrites the line,
 * as progress bars expect; `\b` deletes the last character.
 */
export class AnsiTerminal {
  /** Lines dropped from the top to stay under `maxLines`. */
  dropped = 0;

  private done: TermLine[] = [];
  private current: Segment[] = [];
  private currentLen = 0;
  private nextId = 0;
  private currentId = 0;
  private style: AnsiStyle = { ...PLAIN };
  private mode: Mode = "text";
  private params = "";
  private paramsOverflow = false;
  private pendingCr = false;

  constructor(
    private readonly maxLines = 5000,
    private readonly maxLineLength = 16_384,
  ) {
    this.currentId = this.nextId++;
  }

  /** Completed lines plus the one being written (if it has text). */
  lines(): TermLine[] {
    if (this.current.length === 0) return this.done.slice();
    return [...this.done, { id: this.currentId, segments: this.current.map((s) => ({ ...s })) }];
  }

  /** Everything as plain text (for copying the log). */
  text(): string {
    return this.lines()
      .map((l) => l.segments.map((s) => s.text).join(""))
      .join("\n");
  }

  clear(): void {
    this.done = [];
    this.current = [];
    this.currentLen = 0;
    this.dropped = 0;
    this.style = { ...PLAIN };
    this.mode = "text";
    this.params = "";
    this.pendingCr = false;
    this.currentId = this.nextId++;
  }

  /** The stream ended: an unfinished escape sequence is dropped. */
  end(): void {
    this.mode = "text";
    this.params = "";
    this.pendingCr = false;
  }

  write(chunk: string): void {
    let textStart = -1;
    const flushText = (end: number) => {
      if (textStart >= 0 && end > textStart) this.append(chunk.slice(textStart, end));
      textStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      switch (this.mode) {
        case "text": {
          const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
          if (!control || c === 0x09) {
            if (textStart < 0) textStart = i;
            continue;
          }
          flushText(i);
          this.control(c);
          continue;
        }
        case "esc":
          this.afterEsc(c);
          continue;
        case "escInt":
          if (c >= 0x20 && c <= 0x2f) continue;
          if (c >= 0x30 && c <= 0x7e) this.mode = "text";
          else this.abort(c);
          continue;
        case "csi":
          if (c >= 0x40 && c <= 0x7e) {
            const final = String.fromCharCode(c);
            if (final === "m" && !this.paramsOverflow && /^[0-9;:]*$/.test(this.params)) {
              this.style = applySgr(this.style, this.params);
            }
            this.mode = "text";
          } else if (c >= 0x20 && c <= 0x3f) {
            if (this.params.length < MAX_PARAMS) this.params += String.fromCharCode(c);
            else this.paramsOverflow = true;
          } else this.abort(c);
          continue;
        case "str":
          // OSC 8 links, OSC 52 clipboard, titles, DCS…: swallowed. A newline ends a string
          // that was never terminated, so a broken sequence cannot hide the rest of the log.
          if (c === BEL || c === 0x9c) this.mode = "text";
          else if (c === ESC) this.mode = "strEsc";
          else if (c === 0x0a || c === CAN || c === SUB) this.abort(c);
          continue;
        case "strEsc":
          if (c === 0x5c) this.mode = "text";
          else {
            this.mode = "esc";
            this.afterEsc(c);
          }
          continue;
      }
    }
    flushText(chunk.length);
  }

  private afterEsc(c: number): void {
    if (c === 0x5b) this.startCsi();
    else if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) this.mode = "str";
    else if (c === ESC) this.mode = "esc";
    else if (c >= 0x20 && c <= 0x2f) this.mode = "escInt";
    else if (c >= 0x30 && c <= 0x7e) this.mode = "text";
    else this.abort(c);
  }

  private startCsi(): void {
    this.mode = "csi";
    this.params = "";
    this.paramsOverflow = false;
  }

  /** A sequence broken by a control character: drop it, then act on the character. */
  private abort(c: number): void {
    this.mode = "text";
    if (c === CAN || c === SUB) return;
    const control = c < 0x20 || (c >= 0x7f && c <= 0x9f);
    if (control) this.control(c);
    else this.append(String.fromCharCode(c));
  }

  private control(c: number): void {
    switch (c) {
      case ESC:
        this.mode = "esc";
        return;
      case 0x9b:
        this.startCsi();
        return;
      case 0x9d:
      case 0x90:
      case 0x98:
      case 0x9e:
      case 0x9f:
        this.mode = "str";
        return;
      case 0x0a:
        this.newline();
        return;
      case 0x0d:
        this.pendingCr = true;
        return;
      case 0x08:
        this.backspace();
        return;
      default:
      // Other C0 and C1 controls are dropped.
    }
  }

  private newline(): void {
    this.pendingCr = false;
    this.done.push({ id: this.currentId, segments: this.current });
    this.current = [];
    this.currentLen = 0;
    this.currentId = this.nextId++;
    if (this.done.length > this.maxLines) {
      const extra = this.done.length - this.maxLines;
      this.done.splice(0, extra);
      this.dropped += extra;
    }
  }

  private backspace(): void {
    const last = this.current[this.current.length - 1];
    if (!last) return;
    last.text = last.text.slice(0, -1);
    this.currentLen = Math.max(0, this.currentLen - 1);
    if (last.text === "") this.current.pop();
  }

  private append(text: string): void {
    if (this.pendingCr) {
      // `\r` then text: the line is being redrawn (a progress bar).
      this.pendingCr = false;
      this.current = [];
      this.currentLen = 0;
    }
    const room = this.maxLineLength - this.currentLen;
    if (room <= 0) return;
    if (text.length > room) text = text.slice(0, room - 1) + "…";
    this.currentLen += text.length;
    const last = this.current[this.current.length - 1];
    if (last && sameStyle(last, this.style)) last.text += text;
    else this.current.push({ ...this.style, text });
  }
}

/** One-shot: the segments of `text`, lines joined by `\n`. */
export function parseAnsi(text: string): Segment[] {
  const t = new AnsiTerminal(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  t.write(text);
  t.end();
  const out: Segment[] = [];
  t.lines().forEach((line, i) => {
    if (i > 0) out.push({ ...PLAIN, text: "\n" });
    out.push(...line.segments);
  });
  return out;
}

/** Plain text without any escape sequence. */
export function stripAnsi(text: string): string {
  return parseAnsi(text)
    .map((s) => s.text)
    .join("");
}

/** The class for a segment: palette colours and text attributes. */
export function segmentClass(s: AnsiStyle): string {
  const c: string[] = [];
  if (typeof s.fg === "number") c.push(`ansi-fg-${s.fg}`);
  if (typeof s.bg === "number") c.push(`ansi-bg-${s.bg}`);
  if (s.bold) c.push("ansi-bold");
  if (s.italic) c.push("ansi-italic");
  if (s.underline) c.push("ansi-underline");
  return c.join(" ");
}

/** A computed colour (256-colour cube or truecolor) for `style:color`, else undefined. */
export function cssColor(c: AnsiColor | null): string | undefined {
  return typeof c === "string" ? c : undefined;
}
