// A process's streamed output for the screen (a run's, a build's): written as it arrives,
// drawn at most every FLUSH_MS (never once per chunk).

import { AnsiTerminal, type TermLine } from "./ansi";

/** How often streamed output is drawn. */
const FLUSH_MS = 50;

export class TermOutput {
  /** What is drawn. */
  lines = $state.raw<TermLine[]>([]);
  /** Lines dropped from the top (the terminal keeps the last ones). */
  dropped = $state(0);

  private readonly terminal = new AnsiTerminal();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** Adds text; drawn at the next flush. */
  write(text: string): void {
    this.terminal.write(text);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** The stream ended: its last line is complete (draw it with `flush`). */
  end(): void {
    this.terminal.end();
  }

  /** Draws what was written, now. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lines = this.terminal.lines();
    this.dropped = this.terminal.dropped;
  }

  /** Forgets everything (and draws the emptiness). */
  clear(): void {
    this.terminal.clear();
    this.flush();
  }

  /** Whether nothing was written (drawn or not). */
  empty(): boolean {
    return this.terminal.lines().length === 0;
  }

  /** Everything as plain text (for copying). */
  text(): string {
    return this.terminal.text();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
