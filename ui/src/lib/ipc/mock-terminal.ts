// Terminals for the MockBackend: a pretend shell behind a pretend TTY. It echoes what is typed
// (Backspace, Ctrl+C, Ctrl+D; escape sequences such as arrows and bracketed-paste marks are
// ignored), answers a few commands over the MockFiles filesystem (ls, cd, pwd, echo, cat,
// whoami, hostname, `stty size`, clear, `exit N`) and says `not found` to the rest. `bash` is
// missing from busybox and alpine images, as it is there. An attach needs the container named
// in `tty`. Hooks for tests: what each terminal received, its size, ending a container's
// terminals.

import type { ContainerSummary, IpcError } from "./backend";
import type { TerminalEnd, TerminalTarget } from "../features/containers/terminal/types";
import type { MockFiles } from "./mock-files";

function err(code: string, message: string, field: string | null = null): IpcError {
  return { code, message, field };
}

const BLUE = "\x1b[1;34m";
const CYAN = "\x1b[1;36m";
const RESET = "\x1b[0m";

interface Term {
  op: string;
  container: ContainerSummary;
  attach: boolean;
  bash: boolean;
  cols: number;
  rows: number;
  cwd: string;
  line: string;
  /** An escape sequence being skipped. */
  esc: "" | "esc" | "csi";
  /** Everything received through `input`, in order. */
  received: string;
  out: (text: string) => void;
  finish: (end: TerminalEnd) => void;
}

export class MockTerminals {
  /** Names of containers started with a TTY (`-t`): only those can be attached to. */
  tty = new Set<string>();
  /** Milliseconds before the first prompt. */
  delay = 0;
  private terms = new Map<string, Term>();
  /** What ended terminals had received, by op (kept for tests). */
  private history = new Map<string, Term>();

  constructor(private files: MockFiles) {}

  open(
    op: string,
    c: ContainerSummary,
    target: TerminalTarget,
    cols: number,
    rows: number,
    onOutput: (text: string) => void,
  ): Promise<TerminalEnd> {
    if (this.terms.has(op)) throw err("Conflict", `An operation named ${op} is already running.`);
    if (c.state === "paused") throw err("Conflict", `${c.name} is paused: unpause it first.`);
    if (c.state !== "running") throw err("Conflict", `${c.name} is not running: start it first.`);
    let command: string[] = [];
    if (target.kind === "attach") {
      if (!this.tty.has(c.name))
        throw err(
          "Conflict",
          `${c.name} has no terminal (it was not started with -t): open a shell in it instead.`,
        );
    } else {
      command = target.command.filter((w) => w !== "");
      if (!command.length) throw err("InvalidInput", "Type a command to run.", "command");
    }
    return new Promise<TerminalEnd>((resolve) => {
      const t: Term = {
        op,
        container: c,
        attach: target.kind === "attach",
        bash: command[0] === "bash",
        cols,
        rows,
        cwd: "/",
        line: "",
        esc: "",
        received: "",
        out: onOutput,
        finish: (end) => {
          if (!this.terms.has(op)) return;
          this.terms.delete(op);
          this.history.set(op, t);
          resolve(end);
        },
      };
      this.terms.set(op, t);
      setTimeout(() => this.start(t, command), this.delay);
    });
  }

  private start(t: Term, command: string[]): void {
    if (!this.terms.has(t.op)) return;
    if (t.attach) {
      t.out(this.prompt(t));
      return;
    }
    const [prog, ...args] = command;
    const shell = prog === "sh" || prog === "ash" || prog === "/bin/sh" || prog === "bash";
    if (prog === "bash" && /busybox|alpine/.test(t.container.image)) {
      t.out(
        'OCI runtime exec failed: exec failed: unable to start container process: exec: "bash": executable file not found in $PATH: unknown\r\n',
      );
      t.finish({ exitCode: 126, closed: false });
      return;
    }
    if (shell && args[0] === "-c") {
      this.end(t, this.run(t, args[1] ?? ""));
      return;
    }
    if (shell && args.length === 0) {
      t.out(this.prompt(t));
      return;
    }
    this.end(t, this.run(t, command.join(" ")));
  }

  private end(t: Term, status: number | "exit"): void {
    if (!this.terms.has(t.op)) return;
    t.finish({ exitCode: t.attach ? null : status === "exit" ? 0 : status, closed: false });
  }

  private prompt(t: Term): string {
    return t.bash ? `root@${t.container.id.slice(0, 12)}:${t.cwd}# ` : `${t.cwd} # `;
  }

  /** Throws NotFound when no terminal runs under `op` (it has ended). */
  input(op: string, data: string): void {
    const t = this.terms.get(op);
    if (!t) throw err("NotFound", "This terminal has closed.");
    t.received += data;
    for (const ch of data) {
      if (!this.terms.has(op)) return;
      if (t.esc === "esc") {
        t.esc = ch === "[" ? "csi" : "";
        continue;
      }
      if (t.esc === "csi") {
        if (ch >= "@" && ch <= "~") t.esc = "";
        continue;
      }
      if (ch === "\x1b") t.esc = "esc";
      else if (ch === "\r" || ch === "\n") {
        t.out("\r\n");
        const line = t.line;
        t.line = "";
        this.run(t, line);
        if (!this.terms.has(op)) return;
        t.out(this.prompt(t));
      } else if (ch === "\x7f" || ch === "\b") {
        if (t.line) {
          t.line = [...t.line].slice(0, -1).join("");
          t.out("\b \b");
        }
      } else if (ch === "\x03") {
        t.line = "";
        t.out(`^C\r\n${this.prompt(t)}`);
      } else if (ch === "\x04") {
        if (!t.line) {
          t.out("exit\r\n");
          this.end(t, 0);
          return;
        }
      } else if (ch >= " ") {
        t.line += ch;
        t.out(ch);
      }
    }
  }

  /** Throws InvalidInput for a size out of 1–1000, NotFound when the terminal has ended. */
  resize(op: string, cols: number, rows: number): void {
    if (cols < 1 || rows < 1 || cols > 1000 || rows > 1000)
      throw err("InvalidInput", "A terminal is 1–1000 cells each way.", "size");
    const t = this.terms.get(op);
    if (!t) throw err("NotFound", "This terminal has closed.");
    t.cols = cols;
    t.rows = rows;
  }

  /** Closes the terminal (the exec ends, the container goes on). False when none runs. */
  cancel(op: string): boolean {
    const t = this.terms.get(op);
    if (!t) return false;
    t.finish({ exitCode: null, closed: true });
    return true;
  }

  /** Ends the container's terminals as its stop would (an exec's code is 137). */
  containerStopped(containerId: string): void {
    for (const t of [...this.terms.values()])
      if (t.container.id === containerId)
        t.finish({ exitCode: t.attach ? null : 137, closed: false });
  }

  /** Terminals running in the container. */
  openCount(containerId: string): number {
    return [...this.terms.values()].filter((t) => t.container.id === containerId).length;
  }

  /** Everything the terminal under `op` received, in order (also after it ended). */
  received(op: string): string {
    return (this.terms.get(op) ?? this.history.get(op))?.received ?? "";
  }

  /** The terminal's size as last set (also after it ended). */
  size(op: string): { cols: number; rows: number } | null {
    const t = this.terms.get(op) ?? this.history.get(op);
    return t ? { cols: t.cols, rows: t.rows } : null;
  }

  isOpen(op: string): boolean {
    return this.terms.has(op);
  }

  /** Runs a line (commands split on `;`); returns the last status, or "exit" (terminal ended). */
  private run(t: Term, line: string): number | "exit" {
    let status: number | "exit" = 0;
    for (const part of line.split(";")) {
      status = this.runOne(t, part);
      if (status === "exit") break;
    }
    return status;
  }

  private runOne(t: Term, line: string): number | "exit" {
    const words = line.trim().split(/\s+/).filter(Boolean);
    const [cmd, ...args] = words;
    if (!cmd) return 0;
    const say = (text: string) => t.out(text.replace(/\n/g, "\r\n") + "\r\n");
    const resolve = (p: string) =>
      p.startsWith("/") ? p : t.cwd === "/" ? `/${p}` : `${t.cwd}/${p}`;
    switch (cmd) {
      case "exit": {
        const n = args[0] === undefined ? 0 : Number(args[0]);
        const code = Number.isFinite(n) ? ((Math.trunc(n) % 256) + 256) % 256 : 2;
        if (!t.attach) t.finish({ exitCode: code, closed: false });
        else t.finish({ exitCode: null, closed: false });
        return "exit";
      }
      case "ls": {
        const shown = args.filter((a) => !a.startsWith("-"));
        try {
          const l = this.files.list(t.container, resolve(shown[0] ?? "."));
          const names = l.entries.map((e) =>
            e.kind === "dir"
              ? `${BLUE}${e.name}${RESET}`
              : e.kind === "symlink"
                ? `${CYAN}${e.name}${RESET}`
                : e.name,
          );
          if (names.length) say(names.join("  "));
          return 0;
        } catch {
          say(`ls: ${shown[0] ?? "."}: No such file or directory`);
          return 1;
        }
      }
      case "cd": {
        const to = args[0] ?? "/root";
        try {
          t.cwd = this.files.list(t.container, resolve(to)).path;
          return 0;
        } catch {
          say(`sh: cd: can't cd to ${to}: No such file or directory`);
          return 2;
        }
      }
      case "pwd":
        say(t.cwd);
        return 0;
      case "echo":
        say(args.join(" ").replace(/['"]/g, ""));
        return 0;
      case "whoami":
        say("root");
        return 0;
      case "hostname":
        say(t.container.id.slice(0, 12));
        return 0;
      case "stty":
        if (args[0] === "size") {
          say(`${t.rows} ${t.cols}`);
          return 0;
        }
        return 0;
      case "clear":
        t.out("\x1b[H\x1b[2J");
        return 0;
      case "cat":
        for (const a of args) {
          try {
            this.files.list(t.container, resolve(a));
            say(`cat: read error: Is a directory`);
          } catch (e) {
            if ((e as IpcError).code === "NotFound")
              say(`cat: can't open '${a}': No such file or directory`);
            else say(`(the contents of ${a})`);
          }
        }
        return 0;
      case "true":
        return 0;
      case "false":
        return 1;
      default:
        say(`sh: ${cmd}: not found`);
        return 127;
    }
  }
}
