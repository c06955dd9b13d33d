// The tray's requests (app://open): a container's logs, the containers, the last build again.
import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, waitFor } from "@testing-library/svelte";
import ContainersPage from "../features/containers/ContainersPage.svelte";
import { AppModel } from "./app.svelte";
import { buildOptions, container, MockBackend } from "../ipc/mock";

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

const flush = () => new Promise((r) => setTimeout(r, 0));

async function started(b = new MockBackend()) {
  const m = new AppModel(b);
  stops.push(await m.start());
  return { b, m };
}

describe("app://open", () => {
  it("logs: the Containers page with that container selected, on its Logs tab", async () => {
    const b = new MockBackend();
    b.containers = [container({ name: "web" }), container({ name: "job", state: "exited" })];
    const { m } = await started(b);
    m.page = "images";
    render(ContainersPage, { model: m });
    await waitFor(() => expect(screen.getAllByTestId("container-row")).toHaveLength(2));

    const job = b.containers[1]!;
    b.emitOpen({ kind: "logs", id: job.id });
    expect(m.page).toBe("containers");
    const detail = await screen.findByTestId("container-detail");
    expect(detail.dataset.name).toBe("job");
    expect(screen.getByTestId("tab-logs").getAttribute("aria-selected")).toBe("true");
    expect(m.request).toBeNull();
  });

  it("logs of a stopped container while only running ones are listed: lists them all", async () => {
    const b = new MockBackend();
    b.containers = [container({ name: "web" }), container({ name: "job", state: "exited" })];
    const { m } = await started(b);
    m.setShowAll(false);
    render(ContainersPage, { model: m });
    await waitFor(() => expect(screen.getAllByTestId("container-row")).toHaveLength(1));
    b.emitOpen({ kind: "logs", id: b.containers[1]!.id });
    expect(m.showAll).toBe(true);
    await waitFor(() => expect(screen.getByTestId("container-detail").dataset.name).toBe("job"));
    expect(screen.getByTestId("tab-logs").getAttribute("aria-selected")).toBe("true");
  });

  it("containers: the Containers page", async () => {
    const { b, m } = await started();
    m.page = "settings";
    b.emitOpen({ kind: "containers" });
    expect(m.page).toBe("containers");
  });

  it("rebuild: the Build page runs the newest build again, with its options", async () => {
    const b = new MockBackend();
    const { m } = await started(b);
    const old = b.openPath("/home/me/projects/old");
    const api = b.openPath("/home/me/projects/api");
    const record = (ctx: typeof api, tags: string[], startedAt: number) => ({
      context: { id: ctx.context.id, name: ctx.context.name, display: ctx.context.display },
      options: buildOptions({ tags }),
      startedAt,
      durationMs: 1000,
      outcome: "succeeded" as const,
      imageId: null,
      tags,
      error: null,
    });
    b.history = [record(api, ["api:dev"], 2000), record(old, ["old:1"], 1000)];
    m.page = "containers";

    b.emitOpen({ kind: "rebuild" });
    expect(m.page).toBe("build");
    await waitFor(() => expect(b.log.some((l) => l.method === "imageBuild")).toBe(true));
    const call = b.log.find((l) => l.method === "imageBuild")!;
    expect(call.args[1]).toMatchObject({
      contextId: api.context.id,
      options: { tags: ["api:dev"] },
    });
    await waitFor(() => expect(m.build.run.state).toBe("succeeded"));
    expect(m.build.context?.display).toBe("/home/me/projects/api");
  });

  it("rebuild with no build yet says so", async () => {
    const { b, m } = await started();
    b.emitOpen({ kind: "rebuild" });
    await flush();
    await flush();
    expect(m.page).toBe("build");
    expect(m.notice).toMatchObject({ tone: "error", text: "There is no build to run again yet." });
    expect(b.log.some((l) => l.method === "imageBuild")).toBe(false);
  });
});
