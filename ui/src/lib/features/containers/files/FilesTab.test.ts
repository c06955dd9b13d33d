import { afterEach, describe, expect, it } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import FilesTab from "../FilesTab.svelte";
import { container, MockBackend } from "../../../ipc/mock";
import type { ContainerSummary } from "../../../ipc/backend";
import { AppModel } from "../../../stores/app.svelte";

afterEach(cleanup);

const ID = "web".padEnd(64, "0");

function setup(state: ContainerSummary["state"] = "running") {
  const b = new MockBackend();
  const web = container({ name: "web", state });
  b.containers = [web];
  const r = render(FilesTab, { backend: b, container: web });
  return { b, web, ...r };
}

const path = () => (screen.getByTestId("files-path") as HTMLInputElement).value;
const rows = () => screen.queryAllByTestId(/^file-row-/);
const names = () => rows().map((r) => r.dataset.testid!.slice("file-row-".length));
const calls = (b: MockBackend, method: string) => b.log.filter((l) => l.method === method);

async function at(p: string) {
  await waitFor(() => expect(path()).toBe(p));
  await waitFor(() =>
    expect(screen.getByRole("table").getAttribute("aria-label")).toBe(`Files in ${p}`),
  );
}

async function goTo(p: string) {
  await at("/");
  await fireEvent.input(screen.getByTestId("files-path"), { target: { value: p } });
  await fireEvent.submit(screen.getByTestId("files-path").closest("form")!);
  await at(p);
}

describe("FilesTab", () => {
  it("lists the root, folders first, of a stopped container too", async () => {
    const { b } = setup("exited");
    await at("/");
    expect(calls(b, "containerFilesList")[0]!.args).toEqual([ID, "/"]);
    expect(names()).toEqual(["dev", "etc", "home", "proc", "root", "tmp", "usr", "var", "bin"]);
    const kinds = rows().map((r) => r.dataset.kind);
    expect(kinds.lastIndexOf("dir")).toBeLessThan(kinds.indexOf("symlink"));
    expect(screen.getByTestId("file-row-bin").textContent).toContain("bin → usr/bin");
    expect((screen.getByTestId("files-up") as HTMLButtonElement).disabled).toBe(true);
  });

  it("opens a folder by double-click or Enter, goes up, and follows the breadcrumbs", async () => {
    setup();
    await at("/");
    await fireEvent.dblClick(screen.getByTestId("file-row-etc"));
    await at("/etc");
    expect(names()).toEqual(["nginx", "group", "hostname", "hosts", "os-release", "passwd"]);
    expect(screen.getByTestId("file-row-hostname").textContent).toContain("13 B");
    await fireEvent.keyDown(screen.getByTestId("file-row-nginx"), { key: "Enter" });
    await at("/etc/nginx");
    expect(names()).toEqual(["conf.d", "mime.types", "nginx.conf"]);
    const crumbs = within(screen.getByRole("navigation", { name: "Folder path" }));
    expect(crumbs.getAllByRole("button").map((b) => b.textContent)).toEqual(["/", "etc", "nginx"]);
    await fireEvent.click(screen.getByTestId("files-up"));
    await at("/etc");
    await fireEvent.click(screen.getByTestId("files-crumb-/"));
    await at("/");
  });

  it("a link to a folder opens as that folder; a typed relative path is from the folder shown", async () => {
    setup();
    await at("/");
    await fireEvent.dblClick(screen.getByTestId("file-row-bin"));
    await at("/bin");
    expect(names()).toContain("busybox");
    await fireEvent.input(screen.getByTestId("files-path"), { target: { value: "../etc/nginx" } });
    await fireEvent.submit(screen.getByTestId("files-path").closest("form")!);
    await at("/etc/nginx");
  });

  it("says what is wrong with a path and keeps the folder shown", async () => {
    setup();
    await goTo("/etc");
    await fireEvent.input(screen.getByTestId("files-path"), { target: { value: "/nope" } });
    await fireEvent.submit(screen.getByTestId("files-path").closest("form")!);
    expect((await screen.findByRole("alert")).textContent).toBe(
      "There is no /nope in container web.",
    );
    expect(names()).toContain("nginx");
    expect(path()).toBe("/nope");
    await fireEvent.input(screen.getByTestId("files-path"), { target: { value: "hostname" } });
    await fireEvent.submit(screen.getByTestId("files-path").closest("form")!);
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toBe(
        "/etc/hostname is a file in container web, not a folder.",
      ),
    );
    expect(screen.getByTestId("files-path").getAttribute("aria-invalid")).toBe("true");
    await fireEvent.dblClick(screen.getByTestId("file-row-nginx"));
    await at("/etc/nginx");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("copies out; a name already there is replaced only once confirmed", async () => {
    const { b } = setup();
    b.pickFolderPath = "/home/me/out";
    b.files.hostPaths.add("/home/me/out/nginx");
    await goTo("/etc");
    await fireEvent.click(screen.getByTestId("file-copy-out-nginx"));
    const dialog = await screen.findByTestId("files-replace");
    expect(dialog.textContent).toContain("Replace nginx in /home/me/out?");
    expect(dialog.textContent).toContain("/home/me/out/nginx already exists.");
    expect(calls(b, "containerCopyOut").map((l) => l.args.slice(1))).toEqual([
      [ID, "/etc/nginx", "/home/me/out", false],
    ]);
    await fireEvent.click(screen.getByTestId("files-replace-confirm"));
    const report = await screen.findByTestId("files-report");
    expect(calls(b, "containerCopyOut").map((l) => l.args.slice(1))).toEqual([
      [ID, "/etc/nginx", "/home/me/out", false],
      [ID, "/etc/nginx", "/home/me/out", true],
    ]);
    expect(screen.queryByTestId("files-replace")).toBeNull();
    expect(report.textContent).toContain(
      "Copied 3 files, 2 folders, 7.09 kB to /home/me/out/nginx",
    );
    await waitFor(() =>
      expect(screen.getByTestId("files-command").dataset.command).toBe(
        "docker cp web:/etc/nginx /home/me/out",
      ),
    );
    expect(calls(b, "commandLine").at(-1)!.args[0]).toEqual({
      op: "cp",
      from: "web:/etc/nginx",
      to: "/home/me/out",
    });
  });

  it("a declined replace copies nothing; a closed picker neither", async () => {
    const { b } = setup();
    b.pickFolderPath = "/home/me/out";
    b.files.hostPaths.add("/home/me/out/hostname");
    await goTo("/etc");
    await fireEvent.click(screen.getByTestId("file-copy-out-hostname"));
    await screen.findByTestId("files-replace");
    await fireEvent.click(screen.getByTestId("files-replace-cancel"));
    expect(screen.queryByTestId("files-replace")).toBeNull();
    b.pickFolderPath = null;
    await fireEvent.click(screen.getByTestId("file-copy-out-hosts"));
    await waitFor(() => expect(calls(b, "pickFolder").length).toBe(2));
    expect(calls(b, "containerCopyOut").length).toBe(1);
    expect(screen.queryByTestId("files-report")).toBeNull();
  });

  it("lists what a copy out skipped", async () => {
    const { b } = setup();
    b.pickFolderPath = "/home/me/out";
    await at("/");
    await fireEvent.click(screen.getByTestId("file-copy-out-dev"));
    const skipped = await screen.findByTestId("files-skipped");
    expect(skipped.querySelector("summary")!.textContent).toBe("3 entries were skipped");
    expect([...skipped.querySelectorAll("li")].map((li) => li.textContent)).toEqual([
      "dev/null: a device, pipe or socket (not copied)",
      "dev/tty: a device, pipe or socket (not copied)",
      "dev/zero: a device, pipe or socket (not copied)",
    ]);
  });

  it("copies a file in, then lists the folder again", async () => {
    const { b } = setup();
    b.pickFilePath = "/home/me/projects/webapp/.env";
    await goTo("/tmp");
    expect(names()).toEqual([]);
    const lists = calls(b, "containerFilesList").length;
    await fireEvent.click(screen.getByTestId("files-copy-in-file"));
    const report = await screen.findByTestId("files-report");
    expect(calls(b, "containerCopyIn").map((l) => l.args.slice(1))).toEqual([
      [ID, "/home/me/projects/webapp/.env", "/tmp"],
    ]);
    expect(report.textContent).toMatch(/^Copied 1 file, [\d.]+ k?B to \/tmp\/\.env/);
    await waitFor(() => expect(names()).toEqual([".env"]));
    expect(calls(b, "containerFilesList").length).toBe(lists + 1);
    await waitFor(() =>
      expect(screen.getByTestId("files-command").dataset.command).toBe(
        "docker cp /home/me/projects/webapp/.env web:/tmp",
      ),
    );
  });

  it("copies a folder in", async () => {
    const { b } = setup();
    b.pickFolderPath = "/home/me/projects/webapp/data";
    await goTo("/tmp");
    await fireEvent.click(screen.getByTestId("files-copy-in-folder"));
    const report = await screen.findByTestId("files-report");
    expect(report.textContent).toContain("Copied 3 files, 2 folders, 42.0 kB to /tmp/data");
    await waitFor(() => expect(names()).toEqual(["data"]));
  });

  it("shows hostile names as text", async () => {
    const { b } = setup();
    const evil = "<img src=x onerror=alert(1)>";
    b.files.add(ID, `/tmp/${evil}`, "file", { size: 5 });
    b.files.add(ID, "/tmp/link", "symlink", { linkTarget: "<script>alert(2)</script>" });
    b.files.add(ID, "/tmp/two  spaces", "file");
    await goTo("/tmp");
    expect(names()).toEqual([evil, "link", "two  spaces"]);
    const row = screen.getByTestId(`file-row-${evil}`);
    expect(row.textContent).toContain(evil);
    expect(screen.getByTestId("file-row-link").textContent).toContain(
      "link → <script>alert(2)</script>",
    );
    expect(document.querySelector("img, script")).toBeNull();
    const spaced = rows().find((r) => r.dataset.testid === "file-row-two  spaces")!;
    expect(spaced.querySelector(".fname")!.textContent).toBe("two  spaces");
  });

  it("says when a listing was cut short", async () => {
    const { b } = setup();
    b.files.listLimit = 3;
    await at("/");
    expect(screen.getByTestId("files-truncated").textContent).toContain(
      "more entries than could be listed in time",
    );
    expect(names()).toEqual(["dev", "etc", "home"]);
  });

  it("shows a failing copy's reason inline", async () => {
    const { b } = setup();
    b.failOn.containerCopyIn = {
      code: "InvalidInput",
      message: "secret.key cannot be read.",
      field: "hostPath",
    };
    await at("/");
    await fireEvent.click(screen.getByTestId("files-copy-in-file"));
    expect((await screen.findByTestId("files-copy-error")).textContent).toContain(
      "secret.key cannot be read.",
    );
  });
});

describe("FilesTab drops", () => {
  async function withApp() {
    const b = new MockBackend();
    const web = container({ name: "web" });
    b.containers = [web];
    const m = new AppModel(b);
    const stop = await m.start();
    m.page = "containers";
    const r = render(FilesTab, { backend: b, container: web, drops: m });
    return { b, m, stop, ...r };
  }
  const opened = (b: MockBackend, paths: string[]) => {
    const { context, dockerfile } = b.openPath(paths[0]!);
    b.emitDrop({ kind: "opened", context, dockerfile, paths });
  };

  it("copies what is dropped on the window into the folder shown, one path after the other", async () => {
    const { b, m, stop } = await withApp();
    await goTo("/tmp");
    b.emitDrop({ kind: "over" });
    expect(m.dragging).toBe(true);
    const overlay = await screen.findByTestId("files-drop-overlay");
    expect(overlay.textContent).toContain("Drop to copy into /tmp");

    opened(b, ["/home/me/projects/webapp/data", "/home/me/notes.txt"]);
    await waitFor(() => expect(names()).toEqual(["data", "notes.txt"]));
    expect(screen.queryByTestId("files-drop-overlay")).toBeNull();
    expect(calls(b, "containerCopyIn").map((l) => l.args.slice(1))).toEqual([
      [ID, "/home/me/projects/webapp/data", "/tmp"],
      [ID, "/home/me/notes.txt", "/tmp"],
    ]);
    expect(m.page).toBe("containers");
    expect(m.build.context).toBeNull();
    const report = screen.getByTestId("files-report");
    expect(report.textContent).toContain("Copied 4 files, 2 folders");
    expect(report.textContent).toContain("to /tmp");
    await waitFor(() =>
      expect(screen.getAllByTestId("files-command").map((c) => c.dataset.command)).toEqual([
        "docker cp /home/me/projects/webapp/data web:/tmp",
        "docker cp /home/me/notes.txt web:/tmp",
      ]),
    );

    // What cannot be built can still be copied.
    b.emitDrop({ kind: "refused", message: "x cannot be built", paths: ["/home/me/x.bin"] });
    await waitFor(() => expect(names()).toContain("x.bin"));
    expect(m.notice).toBeNull();
    stop();
  });

  it("without the Files tab, a drop opens the build flow again", async () => {
    const { b, m, stop, unmount } = await withApp();
    await at("/");
    expect(m.dropTarget).not.toBeNull();
    unmount();
    expect(m.dropTarget).toBeNull();
    opened(b, ["/home/me/projects/api"]);
    expect(m.page).toBe("build");
    expect(m.build.context?.display).toBe("/home/me/projects/api");
    expect(calls(b, "containerCopyIn")).toHaveLength(0);
    stop();
  });

  it("refuses a drop while a copy runs, and stops at the first failure", async () => {
    const { b, stop } = await withApp();
    await goTo("/tmp");
    b.delay = 20;
    opened(b, ["/home/me/a.txt"]);
    await screen.findByTestId("files-copying");
    opened(b, ["/home/me/b.txt"]);
    expect((await screen.findByTestId("files-copy-error")).textContent).toContain(
      "A copy is under way",
    );
    await waitFor(() => expect(names()).toEqual(["a.txt"]));
    b.delay = 0;
    b.failOn.containerCopyIn = {
      code: "InvalidInput",
      message: "c.txt cannot be read.",
      field: null,
    };
    opened(b, ["/home/me/c.txt", "/home/me/d.txt"]);
    await waitFor(() =>
      expect(screen.getByTestId("files-copy-error").textContent).toContain("c.txt cannot be read."),
    );
    expect(calls(b, "containerCopyIn").map((l) => l.args[2])).toEqual([
      "/home/me/a.txt",
      "/home/me/c.txt",
    ]);
    stop();
  });
});
