import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { tick } from "svelte";
import LogViewer from "./LogViewer.svelte";
import { MAX_REDRAW_MS } from "./view";
import { container, MockBackend } from "../../../ipc/mock";
import { mockLogLine } from "../../../ipc/mock-logs";
import { stripAnsi } from "../../../ansi";
import type { LogLine } from "./types";

afterEach(cleanup);

const ID = "web".padEnd(64, "0");

function setup(
  opts: { history?: number; tail?: number | null; maxLines?: number; state?: "running" } = {},
) {
  const b = new MockBackend();
  b.containers = [container({ name: "web", state: opts.state ?? "running" })];
  b.logs.history = opts.history ?? 40;
  const onend = vi.fn();
  const r = render(LogViewer, {
    backend: b,
    containerId: ID,
    tail: opts.tail === undefined ? 1000 : opts.tail,
    maxLines: opts.maxLines,
    onend,
  });
  return { b, onend, ...r };
}

const viewport = () => screen.getByTestId("log-lines") as HTMLDivElement;
const count = () => Number(viewport().dataset.count);
const lines = () => screen.queryAllByTestId("log-line");
/** The text of each drawn line, without the hidden "stderr: " label. */
const lineTexts = () =>
  lines().map((l) =>
    [...l.querySelector(".text")!.childNodes]
      .filter((n) => !(n instanceof HTMLElement && n.classList.contains("visually-hidden")))
      .map((n) => n.textContent)
      .join(""),
  );
/** An access line without its date (which depends on when it was written). */
const request = (n: number) => stripAnsi(mockLogLine(n, 0).text).split("] ")[1];
const out = (text: string, stream: LogLine["stream"] = "stdout"): LogLine => ({
  stream,
  timestamp: "2024-11-28T09:30:05.123456789Z",
  text,
});

async function push(b: MockBackend, batch: LogLine[]) {
  expect(b.logs.push(ID, batch)).toBe(1);
  await waitFor(() => expect(count()).toBeGreaterThan(0));
}

describe("LogViewer", () => {
  it("follows the container's log: the tail in one batch, then pushed batches, at the end", async () => {
    const { b } = setup({ history: 40, tail: 25 });
    await waitFor(() => expect(count()).toBe(25));
    expect(b.log.find((l) => l.method === "containerLogs")?.args.slice(1)).toEqual([
      ID,
      { tail: 25, follow: true },
    ]);
    // The last line drawn is the last line of the log, its escapes turned into styles.
    expect(lineTexts().at(-1)).toBe(stripAnsi(mockLogLine(39, 0).text));
    const batch = Array.from({ length: 30 }, (_, i) => out(`pushed ${i}`));
    b.logs.push(ID, batch);
    await waitFor(() => expect(count()).toBe(55));
    expect(lineTexts().at(-1)).toBe("pushed 29");
    // Following: scrolled to the end (55 rows of 18 px in an assumed 600 px view).
    expect(viewport().scrollTop).toBe(55 * 18 - 600);
    // Colours are classes on spans, not markup from the log.
    const info = lines().find((l) => l.textContent?.includes("INFO"))!;
    expect(info.querySelector(".ansi-fg-2")?.textContent).toBe("INFO");
  });

  it("redraws at most every REDRAW_MS while batches pour in, and draws the last one", async () => {
    // The viewer's clock stands still unless moved here (a busy machine cannot make the
    // batches below come "long after" the last redraw); its timers are real.
    let clock = 1000;
    const now = vi.spyOn(performance, "now").mockImplementation(() => clock);
    try {
      const { b } = setup({ history: 40, tail: 25 });
      await waitFor(() => expect(count()).toBe(25));
      // The tail was drawn just now: batches right after it wait for the next redraw…
      for (let i = 0; i < 5; i++) b.logs.push(ID, [out(`burst ${i}`)]);
      await tick();
      expect(count()).toBe(25);
      expect(lineTexts().at(-1)).not.toBe("burst 4");
      // …which comes once the redraw interval is up, and shows them all, at the end.
      await waitFor(() => expect(count()).toBe(30), { interval: 5, timeout: 3000 });
      expect(lineTexts().at(-1)).toBe("burst 4");
      // Long after the last redraw, a batch is drawn at once.
      clock += MAX_REDRAW_MS + 1;
      b.logs.push(ID, [out("alone")]);
      await tick();
      expect(count()).toBe(31);
    } finally {
      now.mockRestore();
    }
  });

  it("keeps following the end when the view gets shorter (a notice appears below it)", async () => {
    // jsdom has no ResizeObserver nor layout: a stand-in tells the viewer its new height.
    const observers: (() => void)[] = [];
    vi.stubGlobal(
      "ResizeObserver",
      class {
        constructor(private cb: () => void) {}
        observe() {
          observers.push(this.cb);
        }
        disconnect() {}
      },
    );
    try {
      setup({ history: 100, tail: 100 });
      await waitFor(() => expect(count()).toBe(100));
      const height = (h: number) =>
        Object.defineProperty(viewport(), "clientHeight", { configurable: true, value: h });
      height(400);
      observers.forEach((f) => f());
      await waitFor(() => expect(viewport().scrollTop).toBe(100 * 18 - 400));
      // Shorter by a row: still at the end, the last line in sight.
      height(378);
      observers.forEach((f) => f());
      await waitFor(() => expect(viewport().scrollTop).toBe(100 * 18 - 378));
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it("cancels the stream when it is closed", async () => {
    const { b, unmount } = setup();
    await waitFor(() => expect(count()).toBe(40));
    const op = b.log.find((l) => l.method === "containerLogs")!.args[0] as string;
    expect(op).toMatch(/^logs-/);
    expect(b.logs.open(ID)).toBe(1);
    unmount();
    await waitFor(() => expect(b.logs.open(ID)).toBe(0));
    expect(b.log.some((l) => l.method === "opCancel" && l.args[0] === op)).toBe(true);
  });

  it("puts only the lines in view in the DOM", async () => {
    setup({ history: 10_000, tail: null });
    await waitFor(() => expect(count()).toBe(10_000));
    const drawn = lines().length;
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(80);
    expect(document.querySelectorAll(".line").length).toBe(drawn);
    const content = viewport().firstElementChild as HTMLElement;
    expect(content.style.height).toBe(`${10_000 * 18}px`);
    // Scroll to the top: the first lines are drawn instead.
    viewport().scrollTop = 0;
    await fireEvent.scroll(viewport());
    await waitFor(() => expect(lines()[0]?.dataset.id).toBe("1"));
    expect(lineTexts()[0]?.split("] ")[1]).toBe(request(0));
    expect(request(0)).toMatch(/^"GET \/ HTTP\/1\.1" 404 /);
    expect(lines().length).toBeLessThan(80);
  });

  it("renders hostile lines as inert text", async () => {
    const { b } = setup({ history: 0 });
    await push(b, [
      out("copy \x1b]52;c;SGVsbG8=\x07me"),
      out("\x1b]8;;https://evil.example/x\x1b\\click here\x1b]8;;\x1b\\ please"),
      out("<script>alert(1)</script>"),
      out('<img src=x onerror="alert(2)">'),
      out("<a href='https://evil.example'>link</a>"),
    ]);
    await waitFor(() => expect(count()).toBe(5));
    const v = viewport();
    expect(v.querySelector("a, script, img, iframe")).toBeNull();
    expect(lineTexts()).toEqual([
      "copy me",
      "click here please",
      "<script>alert(1)</script>",
      '<img src=x onerror="alert(2)">',
      "<a href='https://evil.example'>link</a>",
    ]);
    expect(v.textContent).not.toContain("SGVsbG8");
    expect(v.textContent).not.toContain("evil.example/x");
  });

  it("draws the start of a 10 MB line with a marker, and still finds text past it", async () => {
    const { b } = setup({ history: 0 });
    const huge = "x".repeat(10_000_000 - 6) + "needle";
    await push(b, [out("before"), out(huge), out("after")]);
    const big = lines()[1]!;
    expect(big.textContent!.length).toBeLessThan(70_000);
    expect(screen.getByTestId("log-truncated").textContent).toBe(
      "… (line truncated for display, 10.0 MB)",
    );
    await fireEvent.input(screen.getByTestId("log-search"), { target: { value: "needle" } });
    await waitFor(() => expect(screen.getByTestId("log-match-count").textContent).toBe("1 of 1"));
  });

  it("searches with a regular expression, highlights as text and moves between matches", async () => {
    const { b } = setup({ history: 0 });
    await push(b, [
      out("GET /a 200"),
      out("\x1b[31mERROR\x1b[0m upstream timed out", "stderr"),
      out("GET /b 500"),
      out("error: disk <b>full</b>"),
    ]);
    const search = screen.getByTestId("log-search");
    await fireEvent.input(search, { target: { value: "err(or)?" } });
    const countText = () => screen.getByTestId("log-match-count").textContent?.trim();
    await waitFor(() => expect(countText()).toBe("2 of 2"));
    const marks = [...viewport().querySelectorAll("mark")].map((m) => m.textContent);
    expect(marks).toEqual(["ERROR", "error"]);
    // The ERROR mark keeps the line's colour.
    expect(viewport().querySelector("mark")?.classList.contains("ansi-fg-1")).toBe(true);
    expect(viewport().querySelector("b")).toBeNull();
    await fireEvent.click(screen.getByTestId("log-prev"));
    expect(countText()).toBe("1 of 2");
    expect(viewport().querySelector(".line.current")?.textContent).toContain("upstream");
    await fireEvent.keyDown(search, { key: "Enter" });
    expect(countText()).toBe("2 of 2");
    // Moving to a match stops following.
    expect(screen.getByTestId("log-pause").getAttribute("aria-pressed")).toBe("true");
    // Case: on by toggle, "err" no longer matches "ERROR".
    await fireEvent.click(screen.getByTestId("log-case"));
    await waitFor(() => expect(countText()).toBe("1 of 1"));
    // New lines are searched as they arrive.
    b.logs.push(ID, [out("another err")]);
    await waitFor(() => expect(countText()).toBe("1 of 2"));
  });

  it("shows an invalid pattern's error and matches nothing", async () => {
    const { b } = setup({ history: 0 });
    await push(b, [out("a (b"), out("c")]);
    await fireEvent.input(screen.getByTestId("log-search"), { target: { value: "(b" } });
    const error = await screen.findByTestId("log-search-error");
    expect(error.textContent).toMatch(/Invalid regular expression/);
    expect(screen.getByTestId("log-search").getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByTestId("log-match-count")).toBeNull();
    expect(viewport().querySelector("mark")).toBeNull();
    await fireEvent.input(screen.getByTestId("log-search"), { target: { value: "\\(b" } });
    await waitFor(() => expect(screen.queryByTestId("log-search-error")).toBeNull());
    expect(screen.getByTestId("log-match-count").textContent?.trim()).toBe("1 of 1");
  });

  it("paused, keeps the view put while lines arrive, and jumps to the end", async () => {
    const { b } = setup({ history: 100, maxLines: 120 });
    await waitFor(() => expect(count()).toBe(100));
    await fireEvent.click(screen.getByTestId("log-pause"));
    expect(screen.getByTestId("log-jump").textContent?.trim()).toBe("↓ Jump to end");
    viewport().scrollTop = 40 * 18;
    await fireEvent.scroll(viewport());
    await waitFor(() => expect(lines()[0]?.dataset.id).toBe("33")); // 40 - 8 overscan + 1
    const firstShown = lineTexts()[8];
    b.logs.push(
      ID,
      Array.from({ length: 5 }, (_, i) => out(`new ${i}`)),
    );
    await waitFor(() => expect(count()).toBe(105));
    expect(screen.getByTestId("log-jump").textContent?.trim()).toBe("↓ 5 new lines — jump to end");
    expect(viewport().scrollTop).toBe(40 * 18);
    expect(lineTexts()[8]).toBe(firstShown);
    // 30 more: 15 old lines are evicted, the view moves up with its line.
    b.logs.push(
      ID,
      Array.from({ length: 30 }, (_, i) => out(`more ${i}`)),
    );
    await waitFor(() => expect(count()).toBe(120));
    expect(viewport().scrollTop).toBe(25 * 18);
    expect(lineTexts()[8]).toBe(firstShown);
    expect(screen.getByTestId("log-jump").textContent).toContain("35 new lines");
    await fireEvent.click(screen.getByTestId("log-jump"));
    expect(screen.queryByTestId("log-jump")).toBeNull();
    expect(viewport().scrollTop).toBe(120 * 18 - 600);
    expect(lineTexts().at(-1)).toBe("more 29");
    expect(screen.getByTestId("log-pause").textContent).toBe("Pause");
  });

  it("stops following when scrolled up, and follows again at the end", async () => {
    const { b } = setup({ history: 100 });
    await waitFor(() => expect(count()).toBe(100));
    viewport().scrollTop = 100;
    await fireEvent.scroll(viewport());
    expect(screen.getByTestId("log-pause").getAttribute("aria-pressed")).toBe("true");
    b.logs.push(ID, [out("while reading")]);
    await waitFor(() =>
      expect(screen.getByTestId("log-jump").textContent).toContain("1 new line "),
    );
    expect(viewport().scrollTop).toBe(100);
    viewport().scrollTop = 101 * 18 - 600;
    await fireEvent.scroll(viewport());
    expect(screen.getByTestId("log-pause").getAttribute("aria-pressed")).toBe("false");
  });

  it("marks stderr lines", async () => {
    const { b } = setup({ history: 0 });
    await push(b, [out("to stdout"), out("to stderr", "stderr")]);
    const [o, e] = lines();
    expect(o!.dataset.stream).toBe("stdout");
    expect(o!.classList.contains("stderr")).toBe(false);
    expect(e!.dataset.stream).toBe("stderr");
    expect(e!.classList.contains("stderr")).toBe(true);
    expect(e!.querySelector(".visually-hidden")?.textContent).toBe("stderr:\u00a0");
    expect(o!.querySelector(".visually-hidden")).toBeNull();
  });

  it("shows local timestamps with the full one as a title, and hides them", async () => {
    const { b } = setup({ history: 0 });
    await push(b, [out("x")]);
    const ts = lines()[0]!.querySelector(".ts")!;
    expect(ts.getAttribute("title")).toBe("2024-11-28T09:30:05.123456789Z");
    expect(ts.textContent).toMatch(/^\d\d:\d\d:05\.123$/);
    await fireEvent.click(screen.getByTestId("log-timestamps"));
    expect(lines()[0]!.querySelector(".ts")).toBeNull();
  });

  it("says when older lines were dropped", async () => {
    setup({ history: 250, tail: null, maxLines: 100 });
    const notice = await screen.findByTestId("log-dropped");
    expect(notice.textContent).toBe(
      "Showing the last 100 lines; 150 older lines dropped (buffer limit).",
    );
    await fireEvent.click(screen.getByTestId("log-clear"));
    expect(count()).toBe(0);
    expect(screen.queryByTestId("log-dropped")).toBeNull();
    expect(screen.getByTestId("log-empty").textContent).toContain("Waiting for log output");
  });

  it("says why the stream ended", async () => {
    const { b, onend } = setup({ history: 3 });
    await waitFor(() => expect(count()).toBe(3));
    b.logs.end(ID, "daemonLost");
    const end = await screen.findByTestId("log-end");
    expect(end.dataset.reason).toBe("daemonLost");
    expect(end.textContent).toContain("Connection to Docker lost");
    expect(onend).toHaveBeenCalledWith({ reason: "daemonLost", lines: 0, lastTimestamp: null });
    expect(count()).toBe(3);
  });

  it("follows again on demand when the daemon dropped the stream but the engine is up", async () => {
    const { b } = setup({ history: 3 });
    await waitFor(() => expect(count()).toBe(3));
    const ts = "2024-11-28T09:30:05.123456789Z";
    b.logs.end(ID, "daemonLost", ts);
    await fireEvent.click(await screen.findByTestId("log-follow-again"));
    await screen.findByTestId("log-resumed");
    const logs = b.log.filter((l) => l.method === "containerLogs");
    expect(logs[1]?.args.slice(1)).toEqual([ID, { tail: null, follow: true, since: ts }]);
    expect(count()).toBe(3);
  });

  it("goes on from the last line seen once the engine was down and is back", async () => {
    const { b, rerender } = setup({ history: 3 });
    await waitFor(() => expect(count()).toBe(3));
    const ts = "2024-11-28T09:30:05.123456789Z";
    b.logs.end(ID, "daemonLost", ts);
    await screen.findByTestId("log-end");
    const calls = () => b.log.filter((l) => l.method === "containerLogs").length;
    // Still "connected" (the status has not caught up): nothing is retried yet, but the
    // notice offers to; once the engine is down it waits for it.
    await new Promise((r) => setTimeout(r, 20));
    expect(calls()).toBe(1);
    screen.getByTestId("log-follow-again");
    await rerender({ connected: false });
    expect(calls()).toBe(1);
    expect(screen.queryByTestId("log-follow-again")).toBeNull();
    await rerender({ connected: true });
    await screen.findByTestId("log-resumed");
    expect(screen.queryByTestId("log-end")).toBeNull();
    expect(calls()).toBe(2);
    expect(b.log.filter((l) => l.method === "containerLogs")[1]?.args.slice(1)).toEqual([
      ID,
      { tail: null, follow: true, since: ts },
    ]);
    // The lines already shown stay; new ones follow them.
    expect(count()).toBe(3);
    await push(b, [out("after the restart")]);
    await waitFor(() => expect(count()).toBe(4));
    expect(lineTexts().at(-1)).toBe("after the restart");
  });

  it("follows again when its stopped container starts again, from the last line seen", async () => {
    const { b, rerender } = setup({ history: 3 });
    await waitFor(() => expect(count()).toBe(3));
    const ts = "2024-11-28T09:30:05.123456789Z";
    const calls = () => b.log.filter((l) => l.method === "containerLogs");
    b.logs.end(ID, "stopped", ts);
    await screen.findByTestId("log-end");
    // The list still says running (its event is late): nothing happens until it says stopped.
    await new Promise((r) => setTimeout(r, 20));
    expect(calls().length).toBe(1);
    await rerender({ running: false });
    expect(calls().length).toBe(1);
    await rerender({ running: true });
    const note = await screen.findByTestId("log-resumed");
    expect(note.textContent?.trim()).toBe("The container started again — following its new lines.");
    expect(calls()[1]?.args.slice(1)).toEqual([ID, { tail: null, follow: true, since: ts }]);
    expect(count()).toBe(3);
    await push(b, [out("second run")]);
    await waitFor(() => expect(count()).toBe(4));
    expect(lineTexts().at(-1)).toBe("second run");
  });

  it("follows again when the engine stopped with the container and is back", async () => {
    const { b, rerender } = setup({ history: 3 });
    await waitFor(() => expect(count()).toBe(3));
    const ts = "2024-11-28T09:30:05.123456789Z";
    const calls = () => b.log.filter((l) => l.method === "containerLogs");
    // The daemon stopping ends the follow as "stopped"; the list never said so.
    b.logs.end(ID, "stopped", ts);
    await screen.findByTestId("log-end");
    await rerender({ connected: false });
    expect(calls().length).toBe(1);
    await rerender({ connected: true });
    const note = await screen.findByTestId("log-resumed");
    expect(note.textContent?.trim()).toBe(
      "The engine is back — following again from the last line seen.",
    );
    expect(calls()[1]?.args.slice(1)).toEqual([ID, { tail: null, follow: true, since: ts }]);
  });

  it("ends at once for a stopped container", async () => {
    const b = new MockBackend();
    b.containers = [container({ name: "job", state: "exited" })];
    b.logs.history = 2;
    render(LogViewer, { backend: b, containerId: "job" });
    const end = await screen.findByTestId("log-end");
    expect(end.textContent?.trim()).toBe("Container stopped — logs ended.");
    expect(count()).toBe(2);
  });

  it("shows an error for an unknown container", async () => {
    const b = new MockBackend();
    render(LogViewer, { backend: b, containerId: "nope" });
    const e = await screen.findByTestId("log-error");
    expect(e.textContent).toContain("No such container: nope");
    expect(screen.getByTestId("log-empty").textContent?.trim()).toBe("No log output.");
  });

  it("downloads the whole log, with or without timestamps", async () => {
    const { b } = setup({ history: 1 });
    await fireEvent.click(screen.getByTestId("log-download"));
    const saved = await screen.findByTestId("log-saved");
    expect(saved.textContent?.trim()).toBe("Saved to /home/me/Downloads/web.log");
    expect(b.log.find((l) => l.method === "containerLogsSave")?.args).toEqual([ID, true]);
    await fireEvent.click(screen.getByTestId("log-timestamps"));
    b.failOn.containerLogsSave = { code: "Other", message: "Disk full", field: null };
    await fireEvent.click(screen.getByTestId("log-download"));
    await waitFor(() =>
      expect(screen.getByTestId("log-saved").textContent?.trim()).toBe(
        "Could not save the logs: Disk full",
      ),
    );
    expect(b.log.filter((l) => l.method === "containerLogsSave").at(-1)?.args).toEqual([ID, false]);
    b.failOn = {};
    b.logs.savePath = () => null; // the user closed the dialog
    await fireEvent.click(screen.getByTestId("log-download"));
    await waitFor(() => expect(screen.queryByTestId("log-saved")).toBeNull());
  });

  it("wraps long lines on request, still drawing only some", async () => {
    const { b } = setup({ history: 0 });
    await push(
      b,
      Array.from({ length: 500 }, (_, i) => out(`${i} ${"word ".repeat(i % 60)}`)),
    );
    await waitFor(() => expect(count()).toBe(500));
    await fireEvent.click(screen.getByTestId("log-wrap"));
    expect(viewport().classList.contains("wrap")).toBe(true);
    expect(lines().length).toBeLessThan(60);
    expect(lineTexts().at(-1)).toBe(`499 ${"word ".repeat(499 % 60)}`);
    const height = parseFloat((viewport().firstElementChild as HTMLElement).style.height);
    expect(height).toBeGreaterThan(500 * 18);
  });
});
