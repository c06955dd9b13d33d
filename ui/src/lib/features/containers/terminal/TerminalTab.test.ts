import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import TerminalTab from "../TerminalTab.svelte";
import { container, MockBackend } from "../../../ipc/mock";
import type { ContainerSummary } from "../../../ipc/backend";

// jsdom cannot draw xterm.js (no canvas, no layout): the screen is a fake with the same surface.
const fakes = vi.hoisted(() => {
  type Key = Pick<
    KeyboardEvent,
    "type" | "key" | "code" | "ctrlKey" | "shiftKey" | "altKey" | "metaKey" | "preventDefault"
  >;
  class FakeTerm {
    cols = 80;
    rows = 24;
    text = "";
    selection = "";
    disposed = false;
    focused = false;
    private data: ((d: string) => void) | null = null;
    private keys: ((e: Key) => boolean) | null = null;
    write(d: string) {
      this.text += d;
    }
    reset() {
      this.text = "";
    }
    onData(cb: (d: string) => void) {
      this.data = cb;
      return { dispose: () => (this.data = null) };
    }
    onResize() {
      return { dispose: () => {} };
    }
    attachCustomKeyEventHandler(h: (e: Key) => boolean) {
      this.keys = h;
    }
    getSelection() {
      return this.selection;
    }
    paste(text: string) {
      this.data?.(text);
    }
    focus() {
      this.focused = true;
    }
    /** What the user types. */
    type(d: string) {
      this.data?.(d);
    }
    /** A key through the custom handler; returns what the handler returned. */
    key(over: Partial<Key>): boolean {
      return this.keys!({
        type: "keydown",
        key: "",
        code: "",
        ctrlKey: false,
        shiftKey: false,
        altKey: false,
        metaKey: false,
        preventDefault: () => {},
        ...over,
      });
    }
  }
  return { FakeTerm, list: [] as FakeTerm[] };
});

vi.mock("./xterm", () => ({
  openXterm: () => {
    const term = new fakes.FakeTerm();
    fakes.list.push(term);
    return {
      term,
      fit: () => {},
      applyTheme: () => {},
      dispose: () => {
        term.disposed = true;
      },
    };
  },
}));

afterEach(() => {
  cleanup();
  fakes.list.length = 0;
});

function setup(state: ContainerSummary["state"] = "running") {
  const b = new MockBackend();
  const web = container({ name: "web", state });
  b.containers = [web, container({ name: "db" })];
  const r = render(TerminalTab, { backend: b, container: web });
  return { b, web, ...r };
}

const term = () => fakes.list[fakes.list.length - 1]!;
const status = () => screen.getByTestId("terminal-status").textContent;
const calls = (b: MockBackend, method: string) => b.log.filter((l) => l.method === method);

/** The screen is loaded on first use: Connect waits for it. */
async function ready() {
  await waitFor(() =>
    expect((screen.getByTestId("terminal-connect") as HTMLButtonElement).disabled).toBe(false),
  );
}

async function connect() {
  await ready();
  await fireEvent.click(screen.getByTestId("terminal-connect"));
  await waitFor(() => expect(status()).toBe("Connected to web — sh"));
}

describe("TerminalTab", () => {
  it("asks to start a stopped container instead of showing a terminal", () => {
    setup("exited");
    expect(screen.getByTestId("terminal-not-running").textContent).toContain(
      "Start the container to open a terminal",
    );
    expect(screen.queryByTestId("terminal-screen")).toBeNull();
    expect((screen.getByTestId("terminal-connect") as HTMLButtonElement).disabled).toBe(true);
    expect(fakes.list).toEqual([]);
  });

  it("connects a shell, shows its output, sends what is typed", async () => {
    const { b } = setup();
    expect(status()).toBe("Not connected");
    expect(screen.getByTestId("terminal-screen")).toBeTruthy();
    await connect();
    expect(calls(b, "terminalOpen")[0]!.args.slice(1)).toEqual([
      "web".padEnd(64, "0"),
      { kind: "exec", command: ["sh"] },
      80,
      24,
    ]);
    expect(term().focused).toBe(true);
    expect((screen.getByTestId("terminal-connect") as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId("terminal-shell") as HTMLSelectElement).disabled).toBe(true);
    term().type("echo hi\r");
    await waitFor(() => expect(term().text).toContain("echo hi\r\nhi\r\n/ # "));
  });

  it("Disconnect closes the terminal's operation", async () => {
    const { b } = setup();
    await connect();
    const op = calls(b, "terminalOpen")[0]!.args[0] as string;
    await fireEvent.click(screen.getByTestId("terminal-disconnect"));
    await waitFor(() => expect(status()).toBe("Closed"));
    expect(calls(b, "opCancel").map((l) => l.args[0])).toContain(op);
    expect(b.terminals.isOpen(op)).toBe(false);
    expect((screen.getByTestId("terminal-disconnect") as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId("terminal-connect") as HTMLButtonElement).disabled).toBe(false);
  });

  it("closing the tab closes the terminal and disposes the screen", async () => {
    const { b, unmount } = setup();
    await connect();
    const op = calls(b, "terminalOpen")[0]!.args[0] as string;
    const t = term();
    unmount();
    await waitFor(() => expect(b.terminals.isOpen(op)).toBe(false));
    expect(calls(b, "opCancel").map((l) => l.args[0])).toEqual([op]);
    expect(t.disposed).toBe(true);
  });

  it("another container gets a new terminal; the previous one is closed", async () => {
    const { b, rerender } = setup();
    await connect();
    const op = calls(b, "terminalOpen")[0]!.args[0] as string;
    await rerender({ backend: b, container: b.containers[1]! });
    await waitFor(() => expect(b.terminals.isOpen(op)).toBe(false));
    await ready();
    expect(fakes.list.length).toBe(2);
    expect(status()).toBe("Not connected");
  });

  it("runs a custom command through sh -c and reports its exit code", async () => {
    const { b } = setup();
    await ready();
    await fireEvent.change(screen.getByTestId("terminal-shell"), { target: { value: "custom" } });
    expect((screen.getByTestId("terminal-connect") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("terminal-command"), {
      target: { value: "echo 'a  b'; exit 4" },
    });
    expect(screen.getByText(/sh reads its quotes/)).toBeTruthy();
    await fireEvent.click(screen.getByTestId("terminal-connect"));
    await waitFor(() => expect(status()).toBe("Exited with code 4"));
    expect(calls(b, "terminalOpen")[0]!.args[2]).toEqual({
      kind: "exec",
      command: ["sh", "-c", "echo 'a  b'; exit 4"],
    });
  });

  it("a custom command without sh is one word, however many spaces it has", async () => {
    const { b } = setup();
    await ready();
    await fireEvent.change(screen.getByTestId("terminal-shell"), { target: { value: "custom" } });
    await fireEvent.click(screen.getByTestId("terminal-via-sh"));
    await fireEvent.input(screen.getByTestId("terminal-command"), {
      target: { value: "top -b" },
    });
    expect(screen.getByText(/one program to run/)).toBeTruthy();
    await fireEvent.keyDown(screen.getByTestId("terminal-command"), { key: "Enter" });
    await waitFor(() => expect(calls(b, "terminalOpen").length).toBe(1));
    expect(calls(b, "terminalOpen")[0]!.args[2]).toEqual({ kind: "exec", command: ["top -b"] });
  });

  it("shows why an attach was refused", async () => {
    setup();
    await fireEvent.change(screen.getByTestId("terminal-shell"), { target: { value: "attach" } });
    await ready();
    await fireEvent.click(screen.getByTestId("terminal-connect"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("has no terminal");
    expect(alert.textContent).toContain("open a shell in it instead");
    expect(status()).toBe("Could not connect");
  });

  it("Ctrl+Shift+C copies the selection, Ctrl+Shift+V pastes; other keys go to xterm", async () => {
    const writeText = vi.fn(async () => {});
    const readText = vi.fn(async () => "ls\r");
    Object.defineProperty(navigator, "clipboard", {
      value: { writeText, readText },
      configurable: true,
    });
    const { b } = setup();
    await connect();
    const op = calls(b, "terminalOpen")[0]!.args[0] as string;
    term().selection = "/ # ";
    expect(term().key({ ctrlKey: true, shiftKey: true, key: "C", code: "KeyC" })).toBe(false);
    expect(writeText).toHaveBeenCalledWith("/ # ");
    expect(term().key({ ctrlKey: true, shiftKey: true, key: "V", code: "KeyV" })).toBe(false);
    await waitFor(() => expect(b.terminals.received(op)).toBe("ls\r"));
    expect(term().key({ ctrlKey: true, key: "c", code: "KeyC" })).toBe(true);
  });

  it("keeps the screen when the container stops, and asks to start it again", async () => {
    const { b, web, rerender } = setup();
    await connect();
    const stop = b.containerAction([web.id], { kind: "stop", timeout: null });
    await stop;
    await waitFor(() => expect(status()).toBe("Exited with code 137"));
    await rerender({ backend: b, container: { ...web, state: "exited" } });
    expect(screen.getByTestId("terminal-screen")).toBeTruthy();
    expect(screen.getByText("Start the container to open a terminal.")).toBeTruthy();
    expect((screen.getByTestId("terminal-connect") as HTMLButtonElement).disabled).toBe(true);
  });
});
