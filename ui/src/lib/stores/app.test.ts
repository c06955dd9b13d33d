import { describe, expect, it, vi } from "vitest";
import { AppModel } from "./app.svelte";
import { container, image, MockBackend, sampleInfo } from "../ipc/mock";
import { REFRESH_DEBOUNCE_MS } from "./live-list.svelte";

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("AppModel", () => {
  it("lists on connect and refreshes once per burst of changes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const b = new MockBackend();
    b.containers = [container({ name: "web" })];
    b.images = [image({ id: "sha256:aa", repoTags: ["busybox:latest"] })];
    const m = new AppModel(b);
    await m.start();
    await vi.runAllTimersAsync();
    expect(m.containers.items.map((c) => c.name)).toEqual(["web"]);
    expect(m.images.items).toHaveLength(1);
    expect(b.calls.containerList).toBe(1);

    b.containers.push(container({ name: "db" }));
    for (let i = 0; i < 50; i++)
      b.emitChange({ scope: "container", action: "create", id: `x${i}` });
    await vi.advanceTimersByTimeAsync(REFRESH_DEBOUNCE_MS + 1);
    await vi.runAllTimersAsync();
    expect(b.calls.containerList).toBe(2);
    expect(m.containers.items.map((c) => c.name).sort()).toEqual(["db", "web"]);
    expect(b.calls.imageList).toBe(1);
    vi.useRealTimers();
  });

  it("clears the lists while disconnected and re-lists on reconnect without duplicates", async () => {
    const b = new MockBackend();
    b.containers = [container({ name: "a" }), container({ name: "b" })];
    const m = new AppModel(b);
    await m.start();
    await flush();
    expect(m.containers.items).toHaveLength(2);

    b.setStatus({
      state: "disconnected",
      host: "unix:///var/run/docker.sock",
      error: { code: "DaemonUnreachable", message: "Connection refused" },
      retryInMs: 500,
      attempt: 0,
    });
    expect(m.containers.items).toHaveLength(0);
    expect(m.containers.loading).toBe(true);

    b.setStatus({ state: "connecting", host: null });
    b.setStatus({ state: "connected", info: sampleInfo });
    b.setStatus({ state: "connected", info: sampleInfo });
    await flush();
    await flush();
    expect(m.containers.items.map((c) => c.name)).toEqual(["a", "b"]);
    expect(m.containers.loading).toBe(false);
  });

  it("keeps the error of a failed list", async () => {
    const b = new MockBackend();
    b.failWith = { code: "Api", message: "boom" };
    const m = new AppModel(b);
    await m.start();
    await flush();
    expect(m.containers.error?.code).toBe("Api");
    b.failWith = null;
    await m.containers.refresh();
    expect(m.containers.error).toBeNull();
  });

  it("the running switch asks the backend for running containers only", async () => {
    const b = new MockBackend();
    b.containers = [container({ name: "up" }), container({ name: "down", state: "exited" })];
    const m = new AppModel(b);
    await m.start();
    await flush();
    expect(m.containers.items).toHaveLength(2);
    m.setShowAll(false);
    await flush();
    expect(m.containers.items.map((c) => c.name)).toEqual(["up"]);
  });

  it("shows an overlay while files are dragged, and opens a dropped folder on the Build page", async () => {
    const b = new MockBackend();
    const m = new AppModel(b);
    await m.start();
    b.emitDrop({ kind: "over" });
    expect(m.dragging).toBe(true);
    b.emitDrop({ kind: "leave" });
    expect(m.dragging).toBe(false);

    b.emitDrop({ kind: "over" });
    const { context } = b.openPath("/home/me/projects/api/Dockerfile");
    b.emitDrop({
      kind: "opened",
      context,
      dockerfile: "Dockerfile",
      paths: ["/home/me/projects/api/Dockerfile"],
    });
    expect(m.dragging).toBe(false);
    expect(m.page).toBe("build");
    expect(m.build.context?.name).toBe("api");

    b.emitDrop({ kind: "refused", message: "/dev/null cannot be built.", paths: ["/dev/null"] });
    expect(m.notice).toMatchObject({ tone: "error", text: "/dev/null cannot be built." });
  });

  it("“Show image” goes to the Images page with the image to select", () => {
    const m = new AppModel(new MockBackend());
    m.showImage("sha256:abc");
    expect(m.page).toBe("images");
    expect(m.imageFocus).toBe("sha256:abc");
  });
});
