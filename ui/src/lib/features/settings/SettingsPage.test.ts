import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import SettingsPage from "./SettingsPage.svelte";
import { AppModel } from "../../stores/app.svelte";
import { MockBackend } from "../../ipc/mock";

let stops: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const s of stops) s();
  stops = [];
});

async function setup() {
  const b = new MockBackend();
  b.settings.recentContexts = ["/home/me/projects/api", "/home/me/projects/site"];
  b.settings.runPresets = [
    { name: "web", line: "docker run -d --name web -p 8080:80 nginx:1.27" },
    { name: "db", line: "docker run -d -e POSTGRES_PASSWORD=x postgres:16" },
  ];
  const m = new AppModel(b);
  stops.push(await m.start());
  m.page = "settings";
  render(SettingsPage, { model: m });
  await screen.findByTestId("settings-recent");
  return { b, m };
}

const recent = () => screen.queryAllByTestId("settings-recent-item").map((li) => li.dataset.path);
const presets = () => screen.queryAllByTestId("settings-preset").map((li) => li.dataset.name);

describe("SettingsPage", () => {
  it("brings a refused field into view and focuses it", async () => {
    await setup();
    const host = screen.getByTestId("settings-engine-host") as HTMLInputElement;
    await fireEvent.input(host, { target: { value: "htp://wrong" } });
    const save = screen.getByTestId("settings-save");
    save.focus();
    await fireEvent.click(save);
    await screen.findByTestId("settings-error-engineHost");
    await waitFor(() => expect(document.activeElement).toBe(host));
  });

  it("explains the close-to-tray switch", async () => {
    await setup();
    const box = screen.getByTestId("settings-close-to-tray");
    expect(box.closest("label")!.textContent!.trim()).toBe(
      "Closing the window keeps Dockwright running in the tray",
    );
  });

  it("lists the recent build folders: a click opens one on the Build page", async () => {
    const { b, m } = await setup();
    expect(recent()).toEqual(["/home/me/projects/api", "/home/me/projects/site"]);
    const open = screen.getAllByTestId("settings-recent-open")[1]!;
    expect(open.textContent).toBe("/home/me/projects/site");
    await fireEvent.click(open);
    expect(m.page).toBe("build");
    await waitFor(() => expect(m.build.context?.display).toBe("/home/me/projects/site"));
    expect(b.log.filter((l) => l.method === "contextOpen").map((l) => l.args)).toEqual([
      ["/home/me/projects/site"],
    ]);
  });

  it("a recent folder that is gone says so under the Build page's path field", async () => {
    const { m } = await setup();
    m.settings!.recentContexts = ["/home/me/missing"];
    await m.openBuildFolder("/home/me/missing");
    expect(m.page).toBe("build");
    expect(m.build.path).toBe("/home/me/missing");
    expect(m.build.openError?.message).toContain("does not exist");
  });

  it("forgets one recent folder, then all of them, saving at once", async () => {
    const { b, m } = await setup();
    const item = screen.getAllByTestId("settings-recent-item")[0]!;
    await fireEvent.click(within(item).getByTestId("settings-recent-forget"));
    await waitFor(() => expect(recent()).toEqual(["/home/me/projects/site"]));
    expect(b.settings.recentContexts).toEqual(["/home/me/projects/site"]);
    expect(m.settings?.recentContexts).toEqual(["/home/me/projects/site"]);
    await fireEvent.click(screen.getByTestId("settings-recent-forget-all"));
    await screen.findByTestId("settings-recent-empty");
    expect(b.settings.recentContexts).toEqual([]);
    // Nothing left unsaved.
    expect((screen.getByTestId("settings-save") as HTMLButtonElement).disabled).toBe(true);
  });

  it("lists the run presets with their line, and deletes one", async () => {
    const { b } = await setup();
    expect(presets()).toEqual(["web", "db"]);
    const web = screen.getAllByTestId("settings-preset")[0]!;
    expect(web.querySelector(".line")!.textContent).toBe(
      "docker run -d --name web -p 8080:80 nginx:1.27",
    );
    await fireEvent.click(within(web).getByRole("button", { name: "Delete the preset web" }));
    await waitFor(() => expect(presets()).toEqual(["db"]));
    expect(b.settings.runPresets.map((p) => p.name)).toEqual(["db"]);
    await fireEvent.click(screen.getByTestId("settings-preset-delete"));
    await screen.findByTestId("settings-presets-empty");
  });
});
