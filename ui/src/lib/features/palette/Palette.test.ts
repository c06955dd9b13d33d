import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import App from "../../../App.svelte";
import { AppModel } from "../../stores/app.svelte";
import { container, image, MockBackend } from "../../ipc/mock";

// jsdom has no ResizeObserver (the lists' viewport height): the lists keep their default height.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

let models: AppModel[] = [];
afterEach(() => {
  cleanup();
  models = [];
});

const web = container({ name: "web", image: "nginx:1.27" });
const db = container({ name: "db", image: "postgres:16" });
const job = container({ name: "job", state: "exited", status: "Exited (0) 2 days ago" });

async function setup() {
  const b = new MockBackend();
  b.containers = [web, db, job].map((c) => ({ ...c }));
  b.images = [image({ id: "sha256:aaaa1111bbbb2222", repoTags: ["nginx:1.27"] })];
  const m = new AppModel(b);
  models.push(m);
  render(App, { model: m });
  await waitFor(() => expect(screen.queryAllByTestId("container-row")).toHaveLength(3));
  return { b, m };
}

const ctrlK = (target: Element = document.body) =>
  fireEvent.keyDown(target, { key: "k", code: "KeyK", ctrlKey: true });
const items = () => screen.queryAllByTestId("palette-item");
const ids = () => items().map((i) => i.dataset.id);
const selected = () => items().filter((i) => i.getAttribute("aria-selected") === "true");
const calls = (b: MockBackend, method: string) => b.log.filter((l) => l.method === method);

describe("Palette", () => {
  it("opens with Ctrl+K over a field, narrows as you type, moves with ↓ and runs with Enter", async () => {
    const { b } = await setup();
    const filter = screen.getByTestId("container-filter");
    filter.focus();
    await ctrlK(filter);

    const palette = screen.getByTestId("palette");
    expect(palette.getAttribute("role")).toBe("dialog");
    expect(palette.getAttribute("aria-modal")).toBe("true");
    const input = screen.getByTestId("palette-input") as HTMLInputElement;
    expect(document.activeElement).toBe(input);
    expect(input.getAttribute("role")).toBe("combobox");
    const listbox = within(palette).getByRole("listbox", { hidden: true });
    expect(input.getAttribute("aria-controls")).toBe(listbox.id);
    // Nothing typed: the actions (with their shortcuts), each container, each image.
    expect(ids()).toContain("action:page:images");
    expect(ids()).toContain(`container:open:${web.id}`);
    expect(ids()).toContain("image:run:nginx:1.27");
    expect(ids()).not.toContain(`container:stop:${web.id}`);
    const images = items().find((i) => i.dataset.id === "action:page:images")!;
    expect(within(images).getByText("Ctrl+2")).toBeTruthy();

    await fireEvent.input(input, { target: { value: "stop" } });
    expect(ids().slice(0, 2)).toEqual([`container:stop:${web.id}`, `container:stop:${db.id}`]);
    expect(ids()).toContain("action:prune-containers");
    expect(ids()).not.toContain(`container:stop:${job.id}`);
    expect(selected().map((i) => i.dataset.id)).toEqual([`container:stop:${web.id}`]);
    expect(input.getAttribute("aria-activedescendant")).toBe(selected()[0]!.id);

    await fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(selected().map((i) => i.dataset.id)).toEqual([`container:stop:${db.id}`]);
    expect(input.getAttribute("aria-activedescendant")).toBe(selected()[0]!.id);
    expect(selected()[0]!.textContent).toContain("Stop db");

    await fireEvent.keyDown(input, { key: "Enter" });
    expect(screen.queryByTestId("palette")).toBeNull();
    // Focus is back where it was; the Containers page stops db as its Stop button does.
    expect(document.activeElement).toBe(filter);
    await waitFor(() => expect(calls(b, "containerAction")).toHaveLength(1));
    expect(calls(b, "containerAction")[0]!.args).toEqual([
      [db.id],
      { kind: "stop", timeout: null },
    ]);
    await waitFor(() =>
      expect(
        screen.getAllByTestId("container-row").find((r) => r.dataset.name === "db")!.dataset.state,
      ).toBe("exited"),
    );
    expect(screen.getByTestId("container-detail").dataset.name).toBe("db");
  });

  it("closes on Escape (and on Ctrl+K again) with focus back, and runs a clicked row", async () => {
    const { m } = await setup();
    const nav = screen.getByTestId("nav-build");
    nav.focus();
    await ctrlK(nav);
    await fireEvent.keyDown(screen.getByTestId("palette-input"), { key: "Escape" });
    expect(screen.queryByTestId("palette")).toBeNull();
    expect(document.activeElement).toBe(nav);

    await ctrlK(nav);
    expect(screen.getByTestId("palette")).toBeTruthy();
    await ctrlK(screen.getByTestId("palette-input"));
    expect(screen.queryByTestId("palette")).toBeNull();
    expect(document.activeElement).toBe(nav);

    // A click: the image's Run dialog, prefilled.
    await ctrlK();
    await fireEvent.input(screen.getByTestId("palette-input"), { target: { value: "run ngi" } });
    const run = items().find((i) => i.dataset.id === "image:run:nginx:1.27")!;
    await fireEvent.click(run);
    expect(screen.queryByTestId("palette")).toBeNull();
    expect(m.run?.form.image).toBe("nginx:1.27");
  });

  it("opens a container's logs, and says when nothing matches", async () => {
    const { m } = await setup();
    await ctrlK();
    const input = screen.getByTestId("palette-input");
    await fireEvent.input(input, { target: { value: "zzzz" } });
    expect(items()).toHaveLength(0);
    expect(screen.getByRole("status", { hidden: true }).textContent).toContain("Nothing matches");

    await fireEvent.input(input, { target: { value: "logs job" } });
    expect(selected()[0]!.dataset.id).toBe(`container:logs:${job.id}`);
    await fireEvent.keyDown(input, { key: "Enter" });
    const detail = await screen.findByTestId("container-detail");
    expect(detail.dataset.name).toBe("job");
    expect(screen.getByTestId("tab-logs").getAttribute("aria-selected")).toBe("true");
    expect(m.request).toBeNull();
  });

  it("keeps the selected command selected when the list changes under it", async () => {
    const { b, m } = await setup();
    await ctrlK();
    const input = screen.getByTestId("palette-input");
    await fireEvent.input(input, { target: { value: "stop" } });
    await fireEvent.keyDown(input, { key: "ArrowDown" });
    expect(selected()[0]!.dataset.id).toBe(`container:stop:${db.id}`);
    // A container that sorts first starts meanwhile (an engine event): db stays selected.
    const api = container({ name: "api", image: "node:22" });
    b.containers = [{ ...api }, ...b.containers];
    await m.containers.refresh();
    await waitFor(() => expect(ids()).toContain(`container:stop:${api.id}`));
    expect(ids().indexOf(`container:stop:${db.id}`)).not.toBe(1);
    expect(selected().map((i) => i.dataset.id)).toEqual([`container:stop:${db.id}`]);
  });

  it("opens page dialogs: Pull an image… on the Images page", async () => {
    const { m } = await setup();
    await ctrlK();
    const input = screen.getByTestId("palette-input");
    await fireEvent.input(input, { target: { value: "pull" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(m.page).toBe("images");
    expect(await screen.findByTestId("pull-dialog")).toBeTruthy();
    expect(m.request).toBeNull();
  });

  it("runs the global shortcuts, but leaves a terminal's keys and other dialogs alone", async () => {
    const { m } = await setup();
    await fireEvent.keyDown(document.body, { key: "2", code: "Digit2", ctrlKey: true });
    expect(m.page).toBe("images");
    await fireEvent.keyDown(document.body, { key: ",", code: "Comma", ctrlKey: true });
    expect(m.page).toBe("settings");
    // The sidebar shows them.
    expect(screen.getByTestId("nav-images").title).toBe("Images (Ctrl+2)");
    expect(within(screen.getByTestId("nav-images")).getByText("Ctrl+2")).toBeTruthy();

    // In a terminal, Ctrl+K and the others are the terminal's.
    const term = document.createElement("div");
    term.className = "xterm";
    const area = document.createElement("textarea");
    term.append(area);
    document.body.append(term);
    const event = await fireEvent.keyDown(area, { key: "k", code: "KeyK", ctrlKey: true });
    expect(event).toBe(true); // not prevented
    expect(screen.queryByTestId("palette")).toBeNull();
    await fireEvent.keyDown(area, { key: "1", code: "Digit1", ctrlKey: true });
    expect(m.page).toBe("settings");
    term.remove();

    // Ctrl+N: the Run dialog; while it is open, Ctrl+1 does nothing behind it.
    await fireEvent.keyDown(document.body, { key: "n", code: "KeyN", ctrlKey: true });
    expect(m.run).not.toBeNull();
    const dialog = document.querySelector("dialog")!;
    dialog.setAttribute("open", ""); // jsdom has no showModal
    await fireEvent.keyDown(document.body, { key: "1", code: "Digit1", ctrlKey: true });
    expect(m.page).toBe("settings");
    dialog.removeAttribute("open");
    await fireEvent.keyDown(document.body, { key: "1", code: "Digit1", ctrlKey: true });
    expect(m.page).toBe("containers");
  });
});
