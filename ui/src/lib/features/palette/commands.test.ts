import { afterEach, describe, expect, it } from "vitest";
import { AppModel } from "../../stores/app.svelte";
import { container, image, MockBackend } from "../../ipc/mock";
import { actions, allCommands, LIMIT, search, type Command } from "./commands";

const flush = () => new Promise((r) => setTimeout(r, 0));

let stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops) s();
  stops = [];
});

async function setup() {
  const b = new MockBackend();
  b.containers = [
    container({ name: "web", image: "nginx:1.27" }),
    container({ name: "job", state: "exited", status: "Exited (0) 2 days ago" }),
  ];
  b.images = [
    image({ id: "sha256:aaaa1111bbbb2222", repoTags: ["nginx:1.27", "nginx:latest"] }),
    image({ id: "sha256:dead0000beef1111" }),
  ];
  const m = new AppModel(b);
  stops.push(await m.start());
  await flush();
  return { b, m };
}

const ids = (cs: Command[]) => cs.map((c) => c.id);
const find = (cs: Command[], id: string) => {
  const c = cs.find((x) => x.id === id);
  if (!c) throw new Error(`no ${id} in ${ids(cs).join(", ")}`);
  return c;
};

describe("palette commands", () => {
  it("offers the pages and the app's actions, with their shortcuts", async () => {
    const { m } = await setup();
    const list = actions(m);
    expect(ids(list)).toEqual([
      "action:page:containers",
      "action:page:images",
      "action:page:build",
      "action:page:registries",
      "action:page:settings",
      "action:run",
      "action:pull",
      "action:search",
      "action:build",
      "action:prune-containers",
      "action:prune-images",
      "action:login",
      "action:theme",
      "action:show-all",
    ]);
    expect(find(list, "action:page:images").shortcut).toEqual({ key: "2" });
    expect(find(list, "action:page:settings").shortcut).toEqual({ key: "," });
    expect(find(list, "action:run").shortcut).toEqual({ key: "n" });
    expect(find(list, "action:pull").shortcut).toBeUndefined();
    expect(find(list, "action:theme").detail).toBe("now follow the system; next light");
    // Reconnect is offered while the engine is away.
    m.applyStatus({ state: "connecting", host: null });
    expect(ids(actions(m))).toContain("action:reconnect");
  });

  it("runs actions through the model: pages, page requests, the Run dialog", async () => {
    const { m } = await setup();
    find(actions(m), "action:page:registries").run();
    expect(m.page).toBe("registries");
    find(actions(m), "action:pull").run();
    expect(m.page).toBe("images");
    expect(m.request).toEqual({ page: "images", kind: "pull" });
    find(actions(m), "action:prune-containers").run();
    expect(m.page).toBe("containers");
    expect(m.request).toEqual({ page: "containers", kind: "prune" });
    find(actions(m), "action:login").run();
    expect(m.request).toEqual({ page: "registries", kind: "login" });
    find(actions(m), "action:run").run();
    expect(m.run).not.toBeNull();
    m.closeRun();
    find(actions(m), "action:show-all").run();
    expect(m.showAll).toBe(false);
    expect(find(actions(m), "action:show-all").title).toBe("Show all containers");
  });

  it("cycles the theme through the stored settings", async () => {
    const { b, m } = await setup();
    const theme = find(actions(m), "action:theme");
    theme.run();
    await flush();
    expect(b.settings.theme).toBe("light");
    expect(m.settings?.theme).toBe("light");
    expect(document.documentElement.dataset.theme).toBe("light");
    expect(m.notice?.text).toBe("Theme: light");
    find(actions(m), "action:theme").run();
    await flush();
    expect(b.settings.theme).toBe("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    find(actions(m), "action:theme").run();
    await flush();
    expect(b.settings.theme).toBe("system");
  });

  it("offers each container and what its state allows, each image to show and run", async () => {
    const { m } = await setup();
    const web = m.containers.items.find((c) => c.name === "web")!;
    const job = m.containers.items.find((c) => c.name === "job")!;
    const all = allCommands(m);
    const mine = (id: string) => ids(all).filter((x) => x.endsWith(id));
    expect(mine(web.id)).toEqual([
      `container:open:${web.id}`,
      `container:stop:${web.id}`,
      `container:restart:${web.id}`,
      `container:logs:${web.id}`,
      `container:shell:${web.id}`,
    ]);
    expect(mine(job.id)).toEqual([
      `container:open:${job.id}`,
      `container:start:${job.id}`,
      `container:logs:${job.id}`,
    ]);
    const open = find(all, `container:open:${web.id}`);
    expect(`${open.title} — ${open.detail}`).toBe("web — nginx:1.27 — running");
    expect(find(all, `container:stop:${web.id}`).title).toBe("Stop web");
    expect(find(all, `container:start:${job.id}`).title).toBe("Start job");
    expect(find(all, `container:shell:${web.id}`).title).toBe("Open a shell in web");

    expect(ids(all).filter((x) => x.startsWith("image:"))).toEqual([
      "image:show:nginx:1.27",
      "image:run:nginx:1.27",
      "image:show:nginx:latest",
      "image:run:nginx:latest",
      "image:show:sha256:dead0000beef1111",
    ]);
    expect(find(all, "image:run:nginx:latest").title).toBe("Run nginx:latest…");
    expect(find(all, "image:show:sha256:dead0000beef1111").title).toBe("Show <none> dead0000beef");

    // Choosing: the page and what it should do there.
    find(all, `container:stop:${web.id}`).run();
    expect(m.page).toBe("containers");
    expect(m.request).toEqual({ page: "containers", kind: "action", id: web.id, action: "stop" });
    find(all, `container:logs:${web.id}`).run();
    expect(m.request).toEqual({ page: "containers", kind: "open", id: web.id, tab: "logs" });
    find(all, "image:show:nginx:latest").run();
    expect(m.page).toBe("images");
    expect(m.imageFocus).toBe("sha256:aaaa1111bbbb2222 nginx:latest");
    find(all, "image:run:nginx:latest").run();
    expect(m.run?.form.image).toBe("nginx:latest");
  });
});

describe("search", () => {
  it("lists everything but the secondary rows when nothing is typed, in group order", async () => {
    const { m } = await setup();
    const { sections } = search(allCommands(m), "");
    expect(sections.map((s) => s.group)).toEqual(["Actions", "Containers", "Images"]);
    expect(sections[1]!.items.map((c) => c.title)).toEqual(["web", "job"]);
    expect(sections[2]!.items.map((c) => c.title)).toEqual([
      "Show nginx:1.27",
      "Run nginx:1.27…",
      "Show nginx:latest",
      "Run nginx:latest…",
      "Show <none> dead0000beef",
    ]);
  });

  it("puts the section of the best match first, best first inside", async () => {
    const { m } = await setup();
    const { sections } = search(allCommands(m), "stop web");
    expect(sections[0]!.group).toBe("Containers");
    expect(sections[0]!.items[0]!.title).toBe("Stop web");

    const pull = search(allCommands(m), "pull");
    expect(pull.sections[0]!.items[0]!.id).toBe("action:pull");

    const nginx = search(allCommands(m), "run ngin");
    expect(nginx.sections[0]!.group).toBe("Images");
    expect(nginx.sections[0]!.items.map((c) => c.title).slice(0, 2)).toEqual([
      "Run nginx:1.27…",
      "Run nginx:latest…",
    ]);
  });

  it("shows at most the limit and counts the rest", async () => {
    const { b, m } = await setup();
    b.containers = Array.from({ length: 40 }, (_, i) => container({ name: `svc-${i}` }));
    await m.containers.refresh();
    const r = search(allCommands(m), "svc");
    const shown = r.sections.reduce((n, s) => n + s.items.length, 0);
    expect(shown).toBe(LIMIT);
    expect(r.total).toBe(40 * 5);
  });
});
