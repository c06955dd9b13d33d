import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import BuildPage from "./BuildPage.svelte";
import { AppModel } from "../../stores/app.svelte";
import { MockBackend } from "../../ipc/mock";

let stops: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const s of stops) s();
  stops = [];
});

async function setup(recent: string[]) {
  const b = new MockBackend();
  b.settings.recentContexts = recent;
  const m = new AppModel(b);
  stops.push(await m.start());
  m.page = "build";
  render(BuildPage, { model: m });
  return { b, m };
}

const recentButtons = () => screen.queryAllByTestId("build-recent-open");

describe("BuildPage recent folders", () => {
  it("offers the folders built lately while none is open; a click opens one", async () => {
    const { b, m } = await setup(["/home/me/projects/api", "/home/me/projects/site"]);
    await waitFor(() => expect(recentButtons()).toHaveLength(2));
    expect(recentButtons().map((e) => e.dataset.path)).toEqual([
      "/home/me/projects/api",
      "/home/me/projects/site",
    ]);
    expect(recentButtons()[1]!.textContent).toContain("site");
    await fireEvent.click(recentButtons()[1]!);
    await screen.findByTestId("build-context");
    expect(m.build.context?.display).toBe("/home/me/projects/site");
    expect(b.log.filter((l) => l.method === "contextOpen").map((l) => l.args)).toEqual([
      ["/home/me/projects/site"],
    ]);
    // A folder is open: no more quick picks.
    expect(recentButtons()).toHaveLength(0);
  });

  it("reads them again when the page shows (a build adds one)", async () => {
    const { b } = await setup([]);
    await screen.findByTestId("build-dropzone");
    expect(screen.queryByTestId("build-recent")).toBeNull();
    cleanup();
    b.settings.recentContexts = ["/srv/app"];
    const m = new AppModel(b);
    stops.push(await m.start());
    render(BuildPage, { model: m });
    await waitFor(() => expect(recentButtons().map((e) => e.dataset.path)).toEqual(["/srv/app"]));
  });

  it("a folder that is gone says so under the path field", async () => {
    const { m } = await setup(["/home/me/missing"]);
    await waitFor(() => expect(recentButtons()).toHaveLength(1));
    await fireEvent.click(recentButtons()[0]!);
    await waitFor(() => expect(m.build.openError?.message).toContain("does not exist"));
    expect((screen.getByTestId("build-path") as HTMLInputElement).value).toBe("/home/me/missing");
  });
});
