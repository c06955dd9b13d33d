import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { container, MockBackend } from "../../../ipc/mock";
import {
  TerminalSession,
  choiceLabel,
  clipboardKey,
  HIDE_CURSOR,
  SHOW_CURSOR,
  targetFor,
  type KeyLike,
  type Screen,
} from "./session.svelte";

class FakeScreen implements Screen {
  cols = 80;
  rows = 24;
  text = "";
  resets = 0;
  write(data: string) {
    this.text += data;
  }
  /** The text without the cursor's show and hide sequences. */
  get plain() {
    return this.text.replaceAll(SHOW_CURSOR, "").replaceAll(HIDE_CURSOR, "");
  }
  reset() {
    this.text = "";
    this.resets++;
  }
}

const ID = "web".padEnd(64, "0");

function setup(opts: { tty?: boolean; state?: "running" | "exited" | "paused" } = {}) {
  const b = new MockBackend();
  b.containers = [container({ name: "web", state: opts.state ?? "running" })];
  if (opts.tty) b.terminals.tty.add("web");
  const screen = new FakeScreen();
  const s = new TerminalSession(b, ID, "web", screen);
  return { b, screen, s };
}

const calls = (b: MockBackend, method: string) => b.log.filter((l) => l.method === method);

/** Lets the mock's timers (0 ms waits) and the promises behind them run. */
const tick = (ms = 1) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("TerminalSession", () => {
  it("opens a shell at the screen's size, then says whom it is connected to", async () => {
    const { b, screen, s } = setup();
    expect(s.status).toBe("Not connected");
    void s.connect({ kind: "exec", command: ["sh"] }, "sh");
    expect(s.phase).toBe("connecting");
    expect(s.status).toBe("Connecting to web…");
    const [open] = calls(b, "terminalOpen");
    expect(open!.args).toEqual([s.op, ID, { kind: "exec", command: ["sh"] }, 80, 24]);
    expect(s.op).toMatch(/^exec-/);
    await tick();
    await tick();
    expect(screen.plain).toBe("/ # ");
    expect(s.phase).toBe("connected");
    expect(s.status).toBe("Connected to web — sh");
    expect(s.live).toBe(true);
    s.containerName = "web-2";
    expect(s.status).toBe("Connected to web-2 — sh");
  });

  it("sends keystrokes in order, batching what is typed while a call is in flight", async () => {
    const { b, screen, s } = setup();
    void s.connect({ kind: "exec", command: ["sh"] }, "sh");
    await tick(2);
    for (const ch of "echo hi\r") s.input(ch);
    await tick();
    const sent = calls(b, "terminalInput").map((l) => l.args[1]);
    expect(sent.join("")).toBe("echo hi\r");
    expect(sent).toEqual(["e", "cho hi\r"]);
    expect(b.terminals.received(s.op!)).toBe("echo hi\r");
    expect(screen.plain).toBe("/ # echo hi\r\nhi\r\n/ # ");
  });

  it("keeps the order when the backend answers slowly and unevenly", async () => {
    const { b, s } = setup();
    const real = b.terminalInput.bind(b);
    let n = 0;
    b.terminalInput = async (op, data) => {
      // Later calls answer sooner: only the session's one-at-a-time keeps them in order.
      await new Promise((r) => setTimeout(r, 50 - (n++ % 5) * 10));
      return real(op, data);
    };
    void s.connect({ kind: "exec", command: ["sh"] }, "sh");
    await tick(2);
    const typed = "ls /etc\recho one\recho two\r";
    for (const ch of typed) {
      s.input(ch);
      await tick(7);
    }
    await tick(500);
    expect(b.terminals.received(s.op!)).toBe(typed);
  });

  it("holds input typed before the backend knows the terminal, then delivers it", async () => {
    const { b, s } = setup();
    b.delay = 30; // the exec takes 30 ms to start
    void s.connect({ kind: "exec", command: ["sh"] }, "sh");
    s.input("pwd\r");
    await tick(200);
    expect(b.terminals.received(s.op!)).toBe("pwd\r");
    expect(calls(b, "terminalInput").length).toBeGreaterThan(1); // NotFound, then again
  });

  it("says how the process exited, and drops input after that", async () => {
    const { b, screen, s } = setup();
    const done = s.connect({ kind: "exec", command: ["sh"] }, "sh");
    await tick(2);
    s.input("exit 3\r");
    await tick();
    await done;
    expect(s.phase).toBe("exited");
    expect(s.exitCode).toBe(3);
    expect(s.status).toBe("Exited with code 3");
    expect(s.live).toBe(false);
    expect(screen.plain).toContain("[exited with code 3]");
    expect(screen.text.endsWith(HIDE_CURSOR)).toBe(true);
    const before = calls(b, "terminalInput").length;
    s.input("ls\r");
    await tick();
    expect(calls(b, "terminalInput").length).toBe(before);
  });

  it("Disconnect cancels the operation: the terminal closes, the container goes on", async () => {
    const { b, screen, s } = setup();
    const done = s.connect({ kind: "exec", command: ["sh"] }, "sh");
    await tick(2);
    const op = s.op!;
    s.disconnect();
    expect(s.status).toBe("Closed");
    await tick();
    await done;
    expect(calls(b, "opCancel").map((l) => l.args[0])).toEqual([op]);
    expect(b.terminals.isOpen(op)).toBe(false);
    expect(s.phase).toBe("closed");
    expect(screen.plain).toContain("[closed]");
    expect(b.containers[0]!.state).toBe("running");
  });

  it("a Disconnect before the backend registered the op is repeated until it takes", async () => {
    const { b, s } = setup();
    b.delay = 30;
    const done = s.connect({ kind: "exec", command: ["sh"] }, "sh");
    const op = s.op!;
    s.disconnect();
    await tick(200);
    await done;
    const cancels = calls(b, "opCancel").map((l) => l.args[0]);
    expect(cancels.length).toBeGreaterThan(1);
    expect(new Set(cancels)).toEqual(new Set([op]));
    expect(b.terminals.isOpen(op)).toBe(false);
    expect(s.phase).toBe("closed");
  });

  it("sends one resize once resizing pauses for 100 ms, with the last size", async () => {
    const { b, screen, s } = setup();
    void s.connect({ kind: "exec", command: ["sh"] }, "sh");
    await tick(2);
    for (const cols of [90, 100, 110, 120]) {
      screen.cols = cols;
      screen.rows = 30;
      s.resize();
      await tick(40);
    }
    expect(calls(b, "terminalResize")).toEqual([]);
    await tick(100);
    expect(calls(b, "terminalResize").map((l) => l.args.slice(1))).toEqual([[120, 30]]);
    expect(b.terminals.size(s.op!)).toEqual({ cols: 120, rows: 30 });
    // The same size again is not sent.
    s.resize();
    await tick(150);
    expect(calls(b, "terminalResize").length).toBe(1);
  });

  it("a resize while opening is sent once the terminal answers", async () => {
    const { b, screen, s } = setup();
    b.delay = 20;
    void s.connect({ kind: "exec", command: ["sh"] }, "sh");
    screen.cols = 132;
    s.resize();
    await tick(300);
    expect(b.terminals.size(s.op!)).toEqual({ cols: 132, rows: 24 });
  });

  it("shows the backend's reason when an attach is refused (no TTY)", async () => {
    const { s } = setup();
    const done = s.connect({ kind: "attach" }, "main process");
    await tick();
    await done;
    expect(s.phase).toBe("failed");
    expect(s.status).toBe("Could not connect");
    expect(s.error?.message).toBe(
      "web has no terminal (it was not started with -t): open a shell in it instead.",
    );
  });

  it("attaches to a container started with a TTY", async () => {
    const { screen, s } = setup({ tty: true });
    void s.connect({ kind: "attach" }, "main process");
    await tick(2);
    expect(s.status).toBe("Connected to web — main process");
    expect(screen.plain).toBe("/ # ");
  });

  it("a stopped container cannot be opened; its stop ends an open terminal", async () => {
    const stopped = setup({ state: "exited" });
    const refused = stopped.s.connect({ kind: "exec", command: ["sh"] }, "sh");
    await tick();
    await refused;
    expect(stopped.s.error?.message).toBe("web is not running: start it first.");

    const { b, s } = setup();
    const done = s.connect({ kind: "exec", command: ["sh"] }, "sh");
    await tick(2);
    const stop = b.containerAction([ID], { kind: "stop", timeout: null });
    await tick(10);
    expect((await stop).done).toEqual([ID]);
    await done;
    expect(s.status).toBe("Exited with code 137");
  });

  it("a new connection closes the previous one and clears the screen", async () => {
    const { b, screen, s } = setup();
    void s.connect({ kind: "exec", command: ["sh"] }, "sh");
    await tick(2);
    const first = s.op!;
    void s.connect({ kind: "exec", command: ["sh", "-c", "echo hello; exit 4"] }, "x");
    expect(calls(b, "opCancel").map((l) => l.args[0])).toEqual([first]);
    expect(screen.resets).toBe(2);
    expect(screen.text).toBe(SHOW_CURSOR);
    await tick(2);
    expect(b.terminals.isOpen(first)).toBe(false);
    expect(s.op).not.toBe(first);
  });

  it("dispose closes the terminal and writes nothing more", async () => {
    const { b, screen, s } = setup();
    void s.connect({ kind: "exec", command: ["sh"] }, "sh");
    await tick(2);
    const op = s.op!;
    const shown = screen.text;
    s.dispose();
    await tick(5);
    expect(calls(b, "opCancel").map((l) => l.args[0])).toEqual([op]);
    expect(b.terminals.isOpen(op)).toBe(false);
    expect(screen.text).toBe(shown);
    void s.connect({ kind: "exec", command: ["sh"] }, "sh");
    expect(calls(b, "terminalOpen").length).toBe(1);
  });
});

describe("targets", () => {
  it("sh and bash run as themselves; attach is the main process", () => {
    expect(targetFor({ kind: "sh" })).toEqual({ kind: "exec", command: ["sh"] });
    expect(targetFor({ kind: "bash" })).toEqual({ kind: "exec", command: ["bash"] });
    expect(targetFor({ kind: "attach" })).toEqual({ kind: "attach" });
    expect(choiceLabel({ kind: "attach" })).toBe("main process");
  });

  it("a custom command goes through sh -c untouched, or is one word; never split on spaces", () => {
    const text = `  echo "a  b" | tr a-z A-Z  `;
    expect(targetFor({ kind: "custom", text, viaSh: true })).toEqual({
      kind: "exec",
      command: ["sh", "-c", `echo "a  b" | tr a-z A-Z`],
    });
    expect(targetFor({ kind: "custom", text: "/opt/my tool", viaSh: false })).toEqual({
      kind: "exec",
      command: ["/opt/my tool"],
    });
    expect(targetFor({ kind: "custom", text: "   ", viaSh: true })).toBeNull();
    expect(choiceLabel({ kind: "custom", text: " top ", viaSh: true })).toBe("top");
  });
});

describe("clipboard keys", () => {
  const key = (over: Partial<KeyLike>): KeyLike => ({
    type: "keydown",
    key: "c",
    code: "KeyC",
    ctrlKey: false,
    shiftKey: false,
    altKey: false,
    metaKey: false,
    ...over,
  });

  it("Ctrl+Shift+C copies and Ctrl+Shift+V pastes; Ctrl+C and Ctrl+V go to the program", () => {
    expect(clipboardKey(key({ ctrlKey: true, shiftKey: true, key: "C" }))).toBe("copy");
    expect(clipboardKey(key({ ctrlKey: true, shiftKey: true, key: "V", code: "KeyV" }))).toBe(
      "paste",
    );
    expect(clipboardKey(key({ ctrlKey: true }))).toBeNull();
    expect(clipboardKey(key({ ctrlKey: true, key: "v", code: "KeyV" }))).toBeNull();
    expect(clipboardKey(key({ ctrlKey: true, shiftKey: true, altKey: true }))).toBeNull();
    expect(clipboardKey(key({ ctrlKey: true, shiftKey: true, key: "X", code: "KeyX" }))).toBeNull();
  });
});
