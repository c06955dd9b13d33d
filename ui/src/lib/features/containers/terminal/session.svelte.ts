// One terminal tab's connection to a container: the operation's life (open, close, end), input
// in order, resizes debounced, and the status line. The screen (xterm.js in the app, a fake in
// tests) is only written to; everything here is testable without a browser.

import { newOpId, toIpcError, type Backend, type IpcError } from "../../../ipc/backend";
import type { TerminalEnd, TerminalTarget } from "./types";

/** What the session needs of the screen. */
export interface Screen {
  readonly cols: number;
  readonly rows: number;
  write(data: string): void;
  /** Clears the screen and the scrollback, and resets modes, for a new connection. */
  reset(): void;
}

export type Phase = "idle" | "connecting" | "connected" | "exited" | "closed" | "failed";

/** What the user picked in the toolbar. */
export type ShellChoice =
  | { kind: "sh" }
  | { kind: "bash" }
  /** A typed command: through `sh -c` (quotes, pipes, variables), or one program name. */
  | { kind: "custom"; text: string; viaSh: boolean }
  | { kind: "attach" };

/** The target for a choice; null when a custom command is empty. */
export function targetFor(choice: ShellChoice): TerminalTarget | null {
  switch (choice.kind) {
    case "sh":
    case "bash":
      return { kind: "exec", command: [choice.kind] };
    case "attach":
      return { kind: "attach" };
    case "custom": {
      const text = choice.text.trim();
      if (!text) return null;
      // Never split on spaces: that would get quoting wrong. sh parses the line, or it is one word.
      return { kind: "exec", command: choice.viaSh ? ["sh", "-c", text] : [text] };
    }
  }
}

/** How a choice is named in the status line. */
export function choiceLabel(choice: ShellChoice): string {
  switch (choice.kind) {
    case "custom":
      return choice.text.trim();
    case "attach":
      return "main process";
    default:
      return choice.kind;
  }
}

/** A key event as the terminal's key handler sees it. */
export type KeyLike = Pick<
  KeyboardEvent,
  "type" | "key" | "code" | "ctrlKey" | "shiftKey" | "altKey" | "metaKey"
>;

/**
 * Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes (as terminals on Linux and Windows do;
 * plain Ctrl+C and Ctrl+V go to the program). Null for every other key.
 */
export function clipboardKey(e: KeyLike): "copy" | "paste" | null {
  if (!e.ctrlKey || !e.shiftKey || e.altKey || e.metaKey) return null;
  if (e.code === "KeyC" || e.key === "C" || e.key === "c") return "copy";
  if (e.code === "KeyV" || e.key === "V" || e.key === "v") return "paste";
  return null;
}

const DIM = "\x1b[2m";
const RESET = "\x1b[0m";
/** DECTCEM: no cursor blinking in a terminal that has ended; shown again for the next one. */
export const HIDE_CURSOR = "\x1b[?25l";
export const SHOW_CURSOR = "\x1b[?25h";

/** One connection: its op id and what is in flight for it. */
interface Conn {
  op: string;
  /** opCancel was asked (by Disconnect, a new connection or the tab closing). */
  cancelled: boolean;
  /** terminalOpen has settled. */
  ended: boolean;
  /** Typed text not sent yet. */
  pending: string;
  pumping: boolean;
  resizeTimer: ReturnType<typeof setTimeout> | undefined;
  settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The size the backend knows. */
  cols: number;
  rows: number;
}

export interface SessionOptions {
  /** Quiet time before a resize is sent (ms). */
  resizeDelay?: number;
  /** A connection with no output yet counts as connected after this long (ms). */
  settleDelay?: number;
  /** Pause between two tries of an input, resize or cancel that did not reach the terminal (ms). */
  retryDelay?: number;
  /** Tries of those before giving up. */
  retries?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class TerminalSession {
  phase = $state<Phase>("idle");
  /** What runs: "sh", "bash", the typed command, "main process". */
  label = $state("");
  exitCode = $state<number | null>(null);
  /** Why the last connection failed (phase "failed"). */
  error = $state<IpcError | null>(null);
  /** Shown in the status line; follows renames. */
  containerName = $state("");

  readonly status = $derived.by(() => {
    switch (this.phase) {
      case "idle":
        return "Not connected";
      case "connecting":
        return `Connecting to ${this.containerName}…`;
      case "connected":
        return `Connected to ${this.containerName} — ${this.label}`;
      case "exited":
        return this.exitCode === null ? "Exited" : `Exited with code ${this.exitCode}`;
      case "closed":
        return "Closed";
      case "failed":
        return "Could not connect";
    }
  });

  /** A connection is open or opening (Disconnect applies). */
  readonly live = $derived(this.phase === "connecting" || this.phase === "connected");

  private conn: Conn | null = null;
  private disposed = false;
  private readonly resizeDelay: number;
  private readonly settleDelay: number;
  private readonly retryDelay: number;
  private readonly retries: number;

  constructor(
    private readonly backend: Backend,
    private readonly containerId: string,
    containerName: string,
    private readonly screen: Screen,
    opts: SessionOptions = {},
  ) {
    this.containerName = containerName;
    this.resizeDelay = opts.resizeDelay ?? 100;
    this.settleDelay = opts.settleDelay ?? 400;
    this.retryDelay = opts.retryDelay ?? 50;
    this.retries = opts.retries ?? 40;
  }

  /** The op of the current connection (for tests and the Disconnect wiring). */
  get op(): string | null {
    return this.conn?.op ?? null;
  }

  /**
   * Opens a terminal (closing the current one first). Resolves when this connection is over,
   * however it ends; never throws (a failure is `phase === "failed"` with `error`).
   */
  async connect(target: TerminalTarget, label: string): Promise<void> {
    if (this.disposed) return;
    if (this.conn && !this.conn.ended) this.cancel(this.conn);
    const cols = this.screen.cols;
    const rows = this.screen.rows;
    const c: Conn = {
      op: newOpId("exec"),
      cancelled: false,
      ended: false,
      pending: "",
      pumping: false,
      resizeTimer: undefined,
      settleTimer: undefined,
      cols,
      rows,
    };
    this.conn = c;
    this.phase = "connecting";
    this.label = label;
    this.exitCode = null;
    this.error = null;
    this.screen.reset();
    this.screen.write(SHOW_CURSOR);
    // The backend opens the exec before it answers anything; a quiet process (an attach to a
    // program that prints nothing) still counts as connected after a moment.
    c.settleTimer = setTimeout(() => {
      if (this.conn === c && this.phase === "connecting") this.phase = "connected";
    }, this.settleDelay);
    let end: TerminalEnd | null = null;
    let failure: IpcError | null = null;
    try {
      end = await this.backend.terminalOpen(c.op, this.containerId, target, cols, rows, (text) =>
        this.output(c, text),
      );
    } catch (e) {
      failure = toIpcError(e);
    }
    c.ended = true;
    clearTimeout(c.settleTimer);
    clearTimeout(c.resizeTimer);
    c.pending = "";
    if (this.conn !== c || this.disposed) return;
    if (failure && failure.code !== "Cancelled") {
      this.phase = "failed";
      this.error = failure;
    } else if (c.cancelled || failure || end?.closed) {
      this.phase = "closed";
      this.screen.write(`\r\n${DIM}[closed]${RESET}${HIDE_CURSOR}`);
    } else {
      this.phase = "exited";
      this.exitCode = end?.exitCode ?? null;
      this.screen.write(
        `\r\n${DIM}[${this.exitCode === null ? "exited" : `exited with code ${this.exitCode}`}]${RESET}${HIDE_CURSOR}`,
      );
    }
  }

  private output(c: Conn, text: string): void {
    if (c.cancelled) {
      // Output after a close: the close may have come before the backend knew the op. Again.
      if (!c.ended) this.cancel(c);
      return;
    }
    if (this.conn !== c || this.disposed) return;
    if (this.phase === "connecting") {
      this.phase = "connected";
      // Resized while opening: tell the backend now that the terminal is there.
      if (this.screen.cols !== c.cols || this.screen.rows !== c.rows) this.scheduleResize(c);
    }
    this.screen.write(text);
  }

  /**
   * What the user typed or pasted. Sent in order, one call at a time: text typed while a call
   * is in flight goes in the next one, together.
   */
  input(data: string): void {
    const c = this.conn;
    if (!c || c.ended || c.cancelled || !data) return;
    c.pending += data;
    void this.pump(c);
  }

  private async pump(c: Conn): Promise<void> {
    if (c.pumping) return;
    c.pumping = true;
    try {
      while (c.pending && !c.ended && !c.cancelled) {
        const data = c.pending;
        c.pending = "";
        await this.retrying(c, () => this.backend.terminalInput(c.op, data));
      }
    } finally {
      c.pumping = false;
    }
  }

  /** The screen's new size; the backend hears of it once resizing pauses. */
  resize(): void {
    const c = this.conn;
    if (!c || c.ended || c.cancelled) return;
    this.scheduleResize(c);
  }

  private scheduleResize(c: Conn): void {
    clearTimeout(c.resizeTimer);
    c.resizeTimer = setTimeout(() => void this.sendResize(c), this.resizeDelay);
  }

  private async sendResize(c: Conn): Promise<void> {
    const { cols, rows } = this.screen;
    if (c.ended || c.cancelled || cols < 1 || rows < 1) return;
    if (cols === c.cols && rows === c.rows) return;
    c.cols = cols;
    c.rows = rows;
    await this.retrying(c, () => this.backend.terminalResize(c.op, cols, rows));
  }

  /**
   * Runs a call for the terminal; tries again while the backend does not know it yet (NotFound
   * before the exec runs), gives up once the connection ended or after `retries`.
   */
  private async retrying(c: Conn, call: () => Promise<void>): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        await call();
        return;
      } catch (e) {
        if (c.ended || c.cancelled || toIpcError(e).code !== "NotFound" || i >= this.retries)
          return;
        await sleep(this.retryDelay);
      }
    }
  }

  /** Closes the terminal (the exec ends; the container goes on). */
  disconnect(): void {
    const c = this.conn;
    if (!c || c.ended || c.cancelled) return;
    this.cancel(c);
  }

  private cancel(c: Conn): void {
    if (!c.cancelled) {
      c.cancelled = true;
      clearTimeout(c.resizeTimer);
      clearTimeout(c.settleTimer);
      c.pending = "";
      if (this.conn === c && !this.disposed) this.phase = "closed";
    }
    void this.cancelUntilGone(c);
  }

  /** opCancel, again while the backend does not know the op yet and it has not ended. */
  private async cancelUntilGone(c: Conn): Promise<void> {
    for (let i = 0; i <= this.retries && !c.ended; i++) {
      const known = await this.backend.opCancel(c.op).catch(() => false);
      if (known || c.ended) return;
      await sleep(this.retryDelay);
    }
  }

  /** The tab is going: close the terminal, write nothing more. */
  dispose(): void {
    const c = this.conn;
    if (c && !c.ended) this.cancel(c);
    this.disposed = true;
  }
}
