import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import ContainersPage from "./ContainersPage.svelte";
import { AppModel } from "../../stores/app.svelte";
import { container, MockBackend, mockContainerSize, sampleInfo } from "../../ipc/mock";
import type { ContainerSummary } from "../../ipc/backend";
import { formatBytes } from "../../format";

// jsdom has no ResizeObserver (the list's viewport height): the list keeps its default height.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

let stops: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const s of stops) s();
  stops = [];
});

const web = container({
  name: "web",
  image: "nginx:1.27",
  ports: [{ ip: "0.0.0.0", privatePort: 80, publicPort: 8080, protocol: "tcp" }],
});
const db = container({ name: "db", image: "postgres:16", status: "Up 3 hours" });
const job = container({
  name: "job",
  state: "exited",
  status: "Exited (3) 2 days ago",
});
const old = container({ name: "old", state: "exited", status: "Exited (0) 5 days ago" });

async function setup(list: ContainerSummary[] = [web, db, job, old]) {
  const b = new MockBackend();
  b.containers = list.map((c) => ({ ...c, ports: c.ports.map((p) => ({ ...p })) }));
  b.statsInterval = 10;
  const m = new AppModel(b);
  stops.push(await m.start());
  const view = render(ContainersPage, { model: m });
  await waitFor(() => expect(rowNames()).toHaveLength(list.length));
  return { b, m, view };
}

const rowNames = () => screen.queryAllByTestId("container-row").map((r) => r.dataset.name);
const calls = (b: MockBackend, method: string) => b.log.filter((l) => l.method === method);
const text = (id: string) => screen.getByTestId(id).textContent?.replace(/\s+/g, " ").trim();

const down = {
  state: "disconnected",
  host: null,
  error: { code: "DaemonUnreachable", message: "Connection refused" },
  retryInMs: 500,
  attempt: 0,
} as const;

describe("ContainersPage", () => {
  it("lists containers with their state, exit code and ports, and filters them", async () => {
    await setup();
    expect(rowNames()).toEqual(["web", "db", "job", "old"]);
    const row = (name: string) =>
      screen.getAllByTestId("container-row").find((r) => r.dataset.name === name)!;
    expect(within(row("job")).getByText("exited (3)")).toBeTruthy();
    expect(within(row("web")).getByText("running")).toBeTruthy();
    expect(within(row("web")).getByTestId("port-open").textContent).toBe("8080→80");
    await fireEvent.input(screen.getByTestId("container-filter"), {
      target: { value: "postgres" },
    });
    expect(rowNames()).toEqual(["db"]);
    expect(text("container-count")).toBe("1 of 4 containers · 2 running");
  });

  it("acts on the ticked containers at once and lists each container that failed", async () => {
    const { b } = await setup();
    // Select all, then untick two: the bulk bar counts what is left.
    await fireEvent.click(screen.getByTestId("container-select-all"));
    expect(text("bulk-count")).toBe("4 selected");
    await fireEvent.click(screen.getByTestId("container-select-db"));
    await fireEvent.click(screen.getByTestId("container-select-old"));
    expect(text("bulk-count")).toBe("2 selected");

    // Remove asks first, with the exact command, then runs on both ticked ids.
    await fireEvent.click(screen.getByTestId("bulk-remove"));
    const dialog = screen.getByTestId("container-remove-dialog");
    expect(
      within(dialog).getByTestId("container-remove-running").textContent?.replace(/\s+/g, " "),
    ).toContain("web is running: the engine refuses to remove it unless you check Force");
    await waitFor(() =>
      expect(within(dialog).getByTestId("command-line").dataset.command).toBe("docker rm web job"),
    );
    await fireEvent.click(screen.getByTestId("container-remove-confirm"));
    await waitFor(() => expect(calls(b, "containerAction")).toHaveLength(1));
    expect(calls(b, "containerAction")[0]!.args).toEqual([
      [web.id, job.id],
      { kind: "remove", force: false, volumes: false },
    ]);

    // job went; web (running, no force) failed, with the engine's reason.
    const failures = await screen.findByTestId("action-failures");
    expect(failures.textContent).toContain("Removed job; 1 of 2 failed");
    const items = within(failures).getAllByTestId("action-failure");
    expect(items).toHaveLength(1);
    expect(items[0]!.dataset.id).toBe(web.id);
    expect(items[0]!.textContent).toContain(
      `web: You cannot remove a running container ${web.id.slice(0, 12)}`,
    );
    await waitFor(() => expect(rowNames()).toEqual(["web", "db", "old"]));

    // Start runs at once on the ticked containers that are stopped.
    await fireEvent.click(screen.getByTestId("container-select-old"));
    expect(text("bulk-count")).toBe("2 selected");
    await fireEvent.click(screen.getByTestId("bulk-start"));
    await waitFor(() => expect(calls(b, "containerAction")).toHaveLength(2));
    expect(calls(b, "containerAction")[1]!.args).toEqual([[old.id], { kind: "start" }]);
    await waitFor(() =>
      expect(screen.getAllByTestId("container-row").map((r) => r.dataset.state)).toEqual([
        "running",
        "running",
        "running",
      ]),
    );
  });

  it("stops many after a confirm that shows the command, with the chosen wait", async () => {
    const { b, m } = await setup();
    await fireEvent.click(screen.getByTestId("container-select-web"));
    await fireEvent.click(screen.getByTestId("container-select-db"));
    await fireEvent.click(screen.getByTestId("bulk-stop"));
    await fireEvent.input(screen.getByTestId("action-timeout"), { target: { value: "5" } });
    await waitFor(() =>
      expect(screen.getByTestId("command-line").dataset.command).toBe(
        "docker stop --time 5 web db",
      ),
    );
    await fireEvent.click(screen.getByTestId("action-confirm"));
    await waitFor(() =>
      expect(b.containers.filter((c) => c.state === "running").map((c) => c.name)).toEqual([]),
    );
    expect(calls(b, "containerAction")[0]!.args).toEqual([
      [web.id, db.id],
      { kind: "stop", timeout: 5 },
    ]);
    // All went well: a notice says so, and no failure stays on screen.
    await waitFor(() => expect(m.notice?.text).toBe("Stopped web and db"));
    expect(screen.queryByTestId("action-failures")).toBeNull();
  });

  it("shows CPU and memory from one stats subscription, cancelled when the page goes", async () => {
    const b0 = new MockBackend();
    b0.statsSource = (c) =>
      c.name === "web"
        ? { cpuPercent: 12.54, memoryBytes: 48_200_000 }
        : { cpuPercent: 0.4, memoryBytes: 310_000_000 };
    const { b, view } = await setup();
    b.statsSource = b0.statsSource;
    await waitFor(() => expect(screen.getByTestId("stats-cpu-web").textContent).toBe("12.5%"));
    expect(screen.getByTestId("stats-mem-web").textContent).toBe("48.2 MB");
    expect(screen.getByTestId("stats-cpu-db").textContent).toBe("0.4%");
    expect(screen.getByTestId("stats-mem-db").textContent).toBe("310 MB");
    expect(screen.queryByTestId("stats-cpu-job")).toBeNull();

    // One subscription, for the running ones.
    const subs = calls(b, "containerStats");
    expect(subs).toHaveLength(1);
    const [op, ids] = subs[0]!.args as [string, string[]];
    expect([...ids].sort()).toEqual([web.id, db.id].sort());
    expect(b.isRunning(op)).toBe(true);

    // The running set changes: the old subscription ends, a new one covers the new set.
    await b.containerAction([db.id], { kind: "stop", timeout: null });
    await waitFor(() => expect(calls(b, "containerStats")).toHaveLength(2));
    expect(calls(b, "opCancel").map((c) => c.args[0])).toEqual([op]);
    const [op2, ids2] = calls(b, "containerStats")[1]!.args as [string, string[]];
    expect(ids2).toEqual([web.id]);
    await waitFor(() => expect(screen.queryByTestId("stats-cpu-db")).toBeNull());

    view.unmount();
    expect(calls(b, "opCancel").map((c) => c.args[0])).toEqual([op, op2]);
    await waitFor(() => expect(b.isRunning(op2)).toBe(false));
  });

  it("prunes stopped containers and says how many went and the space reclaimed", async () => {
    const { b } = await setup();
    await fireEvent.click(screen.getByTestId("prune-containers"));
    const dialog = screen.getByTestId("container-prune-dialog");
    expect(text("container-prune-preview")).toBe("2 stopped now: job and old.");
    await waitFor(() =>
      expect(within(dialog).getByTestId("command-line").dataset.command).toBe(
        "docker container prune --force",
      ),
    );
    await fireEvent.click(screen.getByTestId("container-prune-confirm"));
    const result = await screen.findByTestId("container-prune-result");
    const reclaimed = mockContainerSize(job.id) + mockContainerSize(old.id);
    expect(reclaimed).toBeGreaterThan(2_000_000);
    expect(result.textContent?.replace(/\s+/g, " ").trim()).toBe(
      `Removed 2 containers, reclaimed ${formatBytes(reclaimed)}`,
    );
    expect(calls(b, "containerPrune")).toHaveLength(1);
    await waitFor(() => expect(rowNames()).toEqual(["web", "db"]));
  });

  it("renames from the row menu; a name in use or refused shows under the field", async () => {
    const { b, m } = await setup();
    await fireEvent.click(screen.getByTestId("container-action-menu-web"));
    await fireEvent.click(screen.getByTestId("container-action-rename-web"));
    const input = screen.getByTestId("rename-input") as HTMLInputElement;
    expect(input.value).toBe("web");

    // Checked while typing.
    await fireEvent.input(input, { target: { value: "my web" } });
    expect(text("rename-error")).toBe("No spaces: letters, digits, “_”, “.” and “-” only.");
    expect((screen.getByTestId("rename-confirm") as HTMLButtonElement).disabled).toBe(true);

    // Taken: the engine's Conflict, under the field.
    await fireEvent.input(input, { target: { value: "db" } });
    expect(screen.queryByTestId("rename-error")).toBeNull();
    await fireEvent.click(screen.getByTestId("rename-confirm"));
    await waitFor(() => expect(text("rename-error")).toContain("The name “db” is already in use"));
    expect(input.getAttribute("aria-invalid")).toBe("true");

    // Refused by the engine for its own reason (field "name"): shown the same way.
    b.failOn.containerRename = {
      code: "InvalidInput",
      message: "name: That name is reserved.",
      field: "name",
    };
    await fireEvent.input(input, { target: { value: "frontend" } });
    await fireEvent.click(screen.getByTestId("rename-confirm"));
    await waitFor(() => expect(text("rename-error")).toBe("That name is reserved."));

    delete b.failOn.containerRename;
    await fireEvent.click(screen.getByTestId("rename-confirm"));
    await waitFor(() => expect(rowNames()).toEqual(["frontend", "db", "job", "old"]));
    expect(screen.queryByTestId("rename-dialog")).toBeNull();
    expect(m.notice?.text).toBe("Renamed web to frontend");
  });

  it("opens the detail: env values hidden until asked for, refreshed after an action", async () => {
    const { b } = await setup();
    await fireEvent.click(screen.getByTestId("container-row-db"));
    const detail = screen.getByTestId("container-detail");
    expect(detail.dataset.name).toBe("db");
    const env = await within(detail).findByTestId("container-env");
    expect(env.textContent).toContain("POSTGRES_USER=••••••");
    expect(env.textContent).toContain("POSTGRES_PASSWORD=••••••");
    expect(detail.textContent).not.toContain("example-password");
    await fireEvent.click(screen.getByTestId("env-reveal"));
    expect(env.textContent).toContain("POSTGRES_PASSWORD=example-password");
    await fireEvent.click(screen.getByTestId("env-reveal"));
    expect(detail.textContent).not.toContain("example-password");

    // Stop from the detail: the engine's change brings the exit code in.
    expect(within(detail).queryByTestId("container-exit-code")).toBeNull();
    const inspects = calls(b, "containerInspect").length;
    await fireEvent.click(within(detail).getByTestId("detail-action-stop"));
    const code = await within(detail).findByTestId("container-exit-code");
    expect(code.textContent?.replace(/\s+/g, " ").trim()).toBe("0 (success)");
    expect(calls(b, "containerInspect").length).toBeGreaterThan(inspects);

    // The raw JSON on the Inspect tab.
    await fireEvent.click(screen.getByTestId("tab-inspect"));
    const raw = JSON.parse(screen.getByTestId("container-inspect").textContent ?? "");
    expect(raw).toMatchObject({ Name: "/db", State: { Status: "exited", ExitCode: 0 } });
  });

  it("charts one container's stats while the Stats tab shows", async () => {
    const { b } = await setup();
    // One sample a second by their clock, 2,500 bytes more received each time.
    b.statsSource = (c, tick) =>
      c.name === "web"
        ? {
            at: 1_700_000_000_000 + tick * 1000,
            cpuPercent: 20 + tick,
            memoryBytes: 64_000_000,
            memoryLimit: 256_000_000,
            netRx: 10_000 + tick * 2_500,
            netTx: 0,
          }
        : {};
    await fireEvent.click(screen.getByTestId("container-row-web"));
    await fireEvent.click(screen.getByTestId("tab-stats"));
    await screen.findByTestId("container-stats");
    const own = () =>
      calls(b, "containerStats").filter((c) => (c.args[1] as string[]).join() === web.id);
    expect(own()).toHaveLength(1);
    expect(text("chart-memory")).toContain("25.0% of 256 MB");
    expect(text("chart-memory-used")).toBe("64.0 MB");
    await waitFor(() => expect(text("chart-network-in")).toBe("2.50 kB/s"));
    expect(text("chart-network-out")).toBe("0 B/s");
    expect(text("chart-cpu-cpu")).toMatch(/^2\d\.0%$/);
    const op = own()[0]!.args[0] as string;

    await fireEvent.click(screen.getByTestId("tab-summary"));
    expect(calls(b, "opCancel").map((c) => c.args[0])).toContain(op);
    await waitFor(() => expect(b.isRunning(op)).toBe(false));
  });

  it("works from the keyboard: Space ticks, Enter opens, Delete asks to remove, Esc closes menus", async () => {
    await setup();
    const row = screen.getAllByTestId("container-row").find((r) => r.dataset.name === "job")!;
    row.focus();
    await fireEvent.keyDown(row, { key: " " });
    expect((screen.getByTestId("container-select-job") as HTMLInputElement).checked).toBe(true);
    expect(text("bulk-count")).toBe("1 selected");
    await fireEvent.keyDown(row, { key: "Enter" });
    expect(screen.getByTestId("container-detail").dataset.name).toBe("job");
    // The current row's buttons are in the Tab order, the others' are not.
    expect(screen.getByTestId("container-action-start-job").tabIndex).toBe(0);
    expect(screen.getByTestId("container-action-stop-web").tabIndex).toBe(-1);
    await fireEvent.keyDown(row, { key: "Delete" });
    expect(screen.getByTestId("container-remove-dialog").textContent).toContain("Remove job?");
    await fireEvent.click(
      within(screen.getByTestId("container-remove-dialog")).getByText("Cancel"),
    );

    const more = screen.getByTestId("container-action-menu-job");
    await fireEvent.click(more);
    const menu = screen.getByTestId("container-menu");
    expect(document.activeElement).toBe(screen.getByTestId("container-action-rename-job"));
    await fireEvent.keyDown(menu, { key: "ArrowDown" });
    expect(document.activeElement).toBe(screen.getByTestId("container-action-commit-job"));
    await fireEvent.keyDown(menu, { key: "Escape" });
    expect(screen.queryByTestId("container-menu")).toBeNull();
    expect(document.activeElement).toBe(more);
  });

  it("commits a container and goes to the new image", async () => {
    const { b, m } = await setup();
    await fireEvent.click(screen.getByTestId("container-action-menu-web"));
    await fireEvent.click(screen.getByTestId("container-action-commit-web"));
    const ref = screen.getByTestId("commit-reference");
    await fireEvent.input(ref, { target: { value: "Web:debug" } });
    await fireEvent.click(screen.getByTestId("commit-confirm"));
    await waitFor(() => expect(ref.getAttribute("aria-invalid")).toBe("true"));
    await fireEvent.input(ref, { target: { value: "web-debug:1" } });
    await fireEvent.input(screen.getByTestId("commit-message"), {
      target: { value: "with curl" },
    });
    await waitFor(() =>
      expect(screen.getByTestId("command-line").dataset.command).toBe(
        "docker commit --message 'with curl' web web-debug:1",
      ),
    );
    await fireEvent.click(screen.getByTestId("commit-confirm"));
    const id = (await screen.findByTestId("commit-image-id")).textContent;
    expect(b.images[0]).toMatchObject({ id, repoTags: ["web-debug:1"] });
    await fireEvent.click(screen.getByTestId("commit-show-image"));
    expect(m.page).toBe("images");
    expect(m.imageFocus).toBe(id);
  });
  it("opens a published port in the browser on a click, and copies its address on a right-click", async () => {
    const { b, m } = await setup();
    const port = screen
      .getAllByTestId("container-row")
      .find((r) => r.dataset.name === "web")!
      .querySelector<HTMLElement>("[data-testid=port-open]")!;
    expect(port.dataset.url).toBe("http://localhost:8080/");
    await fireEvent.click(port);
    await waitFor(() => expect(b.openedUrls).toEqual(["http://localhost:8080/"]));
    expect(calls(b, "portOpen").map((c) => c.args)).toEqual([["http://localhost:8080/"]]);

    const writes: string[] = [];
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: { writeText: async (t: string) => void writes.push(t) },
    });
    await fireEvent.contextMenu(port);
    await waitFor(() => expect(port.textContent).toBe("Copied"));
    expect(writes).toEqual(["http://localhost:8080/"]);
    expect(b.openedUrls).toHaveLength(1);

    // A refusal is said.
    b.failOn.portOpen = { code: "Other", message: "No browser.", field: null };
    await fireEvent.click(port);
    await waitFor(() =>
      expect(m.notice).toMatchObject({
        tone: "error",
        text: "Could not open http://localhost:8080/: No browser.",
      }),
    );

    // The Summary tab opens it too, and keeps a Copy button.
    b.failOn = {};
    await fireEvent.click(screen.getByTestId("container-row-web"));
    const open = await screen.findByTestId("summary-port-open");
    expect(open.textContent).toBe("http://localhost:8080/");
    await fireEvent.click(open);
    await waitFor(() => expect(b.openedUrls).toHaveLength(2));
  });
  it("tells the app its list painted two frames after the first render, even empty, once", async () => {
    const frames: FrameRequestCallback[] = [];
    const raf = vi.spyOn(window, "requestAnimationFrame").mockImplementation((cb) => {
      frames.push(cb);
      return frames.length;
    });
    try {
      const { b, m } = await setup([]);
      await screen.findByTestId("empty");
      const painted = () => calls(b, "appPainted").map((c) => c.args);
      expect(painted()).toEqual([]);
      expect(frames).toHaveLength(1);
      frames.shift()!(0);
      expect(painted()).toEqual([]);
      expect(frames).toHaveLength(1);
      frames.shift()!(0);
      expect(painted()).toEqual([["containers"]]);

      // Shown again (another page, then back) or the list changing: not again.
      cleanup();
      render(ContainersPage, { model: m });
      await screen.findByTestId("empty");
      b.containers = [container({ name: "late" })];
      await m.containers.refresh();
      await waitFor(() => expect(rowNames()).toEqual(["late"]));
      while (frames.length) frames.shift()!(0);
      expect(painted()).toEqual([["containers"]]);
    } finally {
      raf.mockRestore();
    }
  });

  it("keeps the logs on screen while the engine is away and goes on when it is back", async () => {
    const { b } = await setup();
    await fireEvent.click(screen.getByTestId("container-row-web"));
    await fireEvent.click(screen.getByTestId("tab-logs"));
    await waitFor(() => expect(calls(b, "containerLogs")).toHaveLength(1));
    const ts = "2024-11-28T09:30:05.123456789Z";
    b.logs.end(web.id, "daemonLost", ts);
    await screen.findByTestId("log-end");
    b.setStatus(down);
    await waitFor(() => expect(rowNames()).toEqual([]));
    // The detail stays, its actions off; the end notice says what happened.
    expect(screen.getByTestId("container-detail").dataset.name).toBe("web");
    expect((screen.getByTestId("detail-action-remove") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("log-end")).toBeTruthy();
    b.setStatus({ state: "connected", info: sampleInfo });
    await screen.findByTestId("log-resumed");
    const logs = calls(b, "containerLogs");
    expect(logs).toHaveLength(2);
    expect(logs[1]?.args.slice(1)).toEqual([web.id, { tail: null, follow: true, since: ts }]);
  });

  it("closes the detail while the engine is away on tabs other than logs", async () => {
    const { b } = await setup();
    await fireEvent.click(screen.getByTestId("container-row-web"));
    screen.getByTestId("container-detail");
    b.setStatus(down);
    await waitFor(() => expect(screen.queryByTestId("container-detail")).toBeNull());
    b.setStatus({ state: "connected", info: sampleInfo });
    await waitFor(() => expect(screen.getByTestId("container-detail").dataset.name).toBe("web"));
  });

  it("does not count the page as painted while the engine is not connected", async () => {
    const b = new MockBackend({ state: "connecting", host: null });
    const m = new AppModel(b);
    stops.push(await m.start());
    render(ContainersPage, { model: m });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls(b, "appPainted")).toEqual([]);
    b.setStatus({ state: "connected", info: sampleInfo });
    await screen.findByTestId("empty");
    await waitFor(() => expect(calls(b, "appPainted")).toHaveLength(1));
  });
});
