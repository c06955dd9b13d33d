import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import RunDialog from "./RunDialog.svelte";
import { RunForm } from "./model.svelte";
import { MockBackend } from "../../ipc/mock";
import { PullRun } from "../images/pull.svelte";
import type { RunSpec } from "./types";

afterEach(cleanup);

function setup(image = "nginx:1.27", b = new MockBackend()) {
  const onStarted = vi.fn();
  const form = new RunForm(b, image, { pull: new PullRun(b), onStarted });
  const onclose = vi.fn();
  render(RunDialog, { form, onclose });
  return { b, form, onStarted, onclose };
}

const input = (id: string) => screen.getByTestId(id) as HTMLInputElement;
const type = (id: string, value: string) => fireEvent.input(input(id), { target: { value } });
const line = () => screen.getByTestId("run-line").dataset.command;
const outputLines = () =>
  [...screen.getByTestId("run-output").querySelectorAll(".line")].map((l) => l.textContent);
const submit = () => screen.getByTestId("run-submit") as HTMLButtonElement;

function runs(b: MockBackend) {
  return b.log
    .filter((l) => l.method === "containerRun")
    .map((l) => ({ spec: l.args[1] as RunSpec, acceptRisks: l.args[2] as boolean }));
}

describe("RunDialog", () => {
  it("shows the docker run line live as the form is typed", async () => {
    setup();
    await waitFor(() => expect(line()).toBe("docker run -d nginx:1.27"));
    await type("run-name", "web");
    await fireEvent.click(screen.getByTestId("run-port-add"));
    await type("run-port-0", "8080:80");
    await fireEvent.click(screen.getByTestId("run-env-add"));
    await type("run-env-key-0", "GREETING");
    await type("run-env-value-0", "hello world");
    await waitFor(() =>
      expect(line()).toBe(
        "docker run -d --name web -p 8080:80 -e 'GREETING=hello world' nginx:1.27",
      ),
    );
    await fireEvent.click(screen.getByTestId("run-mode-attached"));
    await fireEvent.change(screen.getByTestId("run-restart"), { target: { value: "always" } });
    await waitFor(() =>
      expect(line()).toBe(
        "docker run --name web -p 8080:80 -e 'GREETING=hello world' --restart always nginx:1.27",
      ),
    );
  });

  it("shows a bad port under its row and disables Run until it is fixed", async () => {
    setup();
    await waitFor(() => expect(line()).toBe("docker run -d nginx:1.27"));
    for (let i = 0; i < 3; i++) await fireEvent.click(screen.getByTestId("run-port-add"));
    await type("run-port-1", "8080:80");
    await type("run-port-2", "99999:80");
    const error = await screen.findByTestId("run-error-ports[2]");
    expect(error.textContent?.trim()).toBe("99999 is not a port number (1–65535)");
    expect(error.getAttribute("role")).toBe("alert");
    // Right under the row it is about.
    expect(error.previousElementSibling?.querySelector("input")).toBe(input("run-port-2"));
    expect(input("run-port-2").getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByTestId("run-error-ports[1]")).toBeNull();
    expect(submit().disabled).toBe(true);
    await type("run-port-2", "9090:80");
    await waitFor(() => expect(screen.queryByTestId("run-error-ports[2]")).toBeNull());
    expect(line()).toBe("docker run -d -p 8080:80 -p 9090:80 nginx:1.27");
    expect(submit().disabled).toBe(false);
  });

  it("keeps Run disabled without an image", async () => {
    setup("");
    await screen.findByTestId("run-error-image");
    expect(screen.getByTestId("run-error-image").textContent?.trim()).toBe(
      "Choose an image to run.",
    );
    expect(submit().disabled).toBe(true);
    await type("run-image", "redis:7");
    await waitFor(() => expect(line()).toBe("docker run -d redis:7"));
    expect(submit().disabled).toBe(false);
  });

  it("fills the form from a pasted docker run command", async () => {
    setup();
    const pasted =
      "docker run -d --name api -p 3000:3000 -v /srv/data:/data:ro -e NODE_ENV=production --restart unless-stopped -w /app node:20 npm start";
    await type("run-paste", pasted);
    await fireEvent.click(screen.getByTestId("run-paste-fill"));
    await waitFor(() => expect(input("run-image").value).toBe("node:20"));
    expect(input("run-name").value).toBe("api");
    expect(input("run-port-0").value).toBe("3000:3000");
    expect(input("run-volume-source-0").value).toBe("/srv/data");
    expect(input("run-volume-target-0").value).toBe("/data");
    expect(input("run-volume-ro-0").checked).toBe(true);
    expect(input("run-env-key-0").value).toBe("NODE_ENV");
    expect(input("run-env-value-0").value).toBe("production");
    expect((screen.getByTestId("run-restart") as HTMLSelectElement).value).toBe("unless-stopped");
    expect(input("run-command").value).toBe("npm start");
    expect(input("run-workdir").value).toBe("/app");
    expect((screen.getByTestId("run-advanced") as HTMLDetailsElement).open).toBe(true);
    expect(input("run-paste").value).toBe("");
    await waitFor(() =>
      expect(line()).toBe(
        "docker run -d --name api -p 3000:3000 -v /srv/data:/data:ro -e NODE_ENV=production --restart unless-stopped -w /app node:20 npm start",
      ),
    );
  });

  it("says why a pasted line cannot fill the form", async () => {
    setup();
    await type("run-paste", "docker build -t app .");
    await fireEvent.click(screen.getByTestId("run-paste-fill"));
    const error = await screen.findByTestId("run-error-paste");
    expect(error.textContent).toContain("Paste a `docker run …` command");
    expect(input("run-image").value).toBe("nginx:1.27");
  });

  it("fills a volume's source from the folder picker", async () => {
    const { b } = setup();
    await fireEvent.click(screen.getByTestId("run-volume-add"));
    await fireEvent.click(screen.getByTestId("run-volume-choose-0"));
    await waitFor(() => expect(input("run-volume-source-0").value).toBe(b.pickFolderPath));
    await type("run-volume-target-0", "/data");
    await waitFor(() =>
      expect(line()).toBe("docker run -d -v /home/me/projects/webapp/data:/data nginx:1.27"),
    );
  });

  it("asks to confirm a privileged run, and Run anyway runs it", async () => {
    const { b, onStarted } = setup();
    await fireEvent.click(screen.getByTestId("run-privileged"));
    const risks = await screen.findByTestId("run-risks");
    expect(risks.textContent).toContain("Privileged: the container gets every capability");
    await waitFor(() => expect(line()).toBe("docker run -d --privileged nginx:1.27"));
    await fireEvent.click(submit());
    const confirm = await screen.findByTestId("run-confirm");
    expect(screen.getAllByTestId("run-risk").map((r) => r.textContent)).toEqual([
      "Privileged: the container gets every capability and all host devices; it can take over this machine.",
    ]);
    expect(confirm.textContent).toContain("nginx:1.27");
    expect(runs(b)).toHaveLength(0);
    await fireEvent.click(screen.getByTestId("run-risk-confirm"));
    await waitFor(() => expect(onStarted).toHaveBeenCalledTimes(1));
    expect(runs(b)).toEqual([
      {
        spec: expect.objectContaining({ image: "nginx:1.27", privileged: true }),
        acceptRisks: true,
      },
    ]);
  });

  it("goes back from the confirm step without running", async () => {
    const { b } = setup();
    await fireEvent.click(screen.getByTestId("run-pid-host"));
    await waitFor(() => expect(line()).toBe("docker run -d --pid host nginx:1.27"));
    await fireEvent.click(submit());
    await screen.findByTestId("run-confirm");
    await fireEvent.click(screen.getByTestId("run-risk-back"));
    expect((await screen.findByTestId("run-pid-host")) as HTMLInputElement).toHaveProperty(
      "checked",
      true,
    );
    expect(runs(b)).toHaveLength(0);
  });

  it("offers to pull an image that is not local, then runs it", async () => {
    const { b, onStarted } = setup("missing:latest");
    await waitFor(() => expect(line()).toBe("docker run -d missing:latest"));
    await fireEvent.click(submit());
    const offer = await screen.findByTestId("run-not-local");
    expect(offer.textContent).toContain("missing:latest is not on this engine");
    const pull = screen.getByTestId("run-pull");
    expect(pull.textContent).toBe("Pull missing:latest and run");
    await fireEvent.click(pull);
    await waitFor(() => expect(onStarted).toHaveBeenCalledTimes(1));
    expect(b.log.filter((l) => l.method === "imagePull").map((l) => l.args[1])).toEqual([
      "missing:latest",
    ]);
    expect(runs(b)).toHaveLength(2);
    expect(b.findImage("missing:latest")).toBeDefined();
  });

  it("shows a container that exited at once: its code and last lines", async () => {
    const { onStarted } = setup("busybox");
    await fireEvent.click(screen.getByTestId("run-advanced"));
    await type("run-command", `sh -c "echo cannot open /config.yml; exit 3"`);
    await waitFor(() =>
      expect(line()).toBe("docker run -d busybox sh -c 'echo cannot open /config.yml; exit 3'"),
    );
    await fireEvent.click(submit());
    const exited = await screen.findByTestId("run-exited");
    expect(exited.dataset.code).toBe("3");
    expect(exited.textContent).toContain("Exited at once with code 3");
    expect(outputLines()).toEqual(["cannot open /config.yml"]);
    expect(onStarted).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByTestId("run-back"));
    expect(input("run-command").value).toBe(`sh -c "echo cannot open /config.yml; exit 3"`);
  });

  it("shows an attached run's output live, and stops it", async () => {
    const b = new MockBackend();
    b.delay = 5;
    setup("busybox", b);
    await fireEvent.click(screen.getByTestId("run-mode-attached"));
    await fireEvent.click(screen.getByTestId("run-advanced"));
    await type("run-command", "sh -c 'echo one; echo two; sleep 1d'");
    await waitFor(() =>
      expect(line()).toBe("docker run busybox sh -c 'echo one; echo two; sleep 1d'"),
    );
    await fireEvent.click(submit());
    await screen.findByTestId("run-running");
    await waitFor(() => expect(screen.getByTestId("run-output").dataset.lines).toBe("2"));
    expect(outputLines()).toEqual(["one", "two"]);
    await fireEvent.click(screen.getByTestId("run-stop"));
    await screen.findByTestId("run-stopped");
    expect(b.log.some((l) => l.method === "opCancel")).toBe(true);
    expect(screen.getByTestId("run-output").dataset.lines).toBe("2");
  });

  it("shows an attached run that finished with its exit code", async () => {
    setup("hello-world");
    await fireEvent.click(screen.getByTestId("run-mode-attached"));
    await waitFor(() => expect(line()).toBe("docker run hello-world"));
    await fireEvent.click(submit());
    const exited = await screen.findByTestId("run-exited");
    expect(exited.textContent).toContain("Exited with code 0");
    expect(screen.getByTestId("run-output").textContent).toContain("Hello from Docker!");
  });

  it("shows a name already in use next to the name", async () => {
    const b = new MockBackend();
    b.containers = [
      {
        id: "c".repeat(64),
        name: "web",
        image: "nginx",
        imageId: "sha256:1",
        command: "nginx",
        state: "running",
        status: "Up",
        ports: [],
        created: 0,
        composeProject: null,
      },
    ];
    setup("nginx:1.27", b);
    await type("run-name", "web");
    await waitFor(() => expect(line()).toBe("docker run -d --name web nginx:1.27"));
    await fireEvent.click(submit());
    const error = await screen.findByTestId("run-error-name");
    expect(error.textContent).toContain("“web” is already in use");
    expect(submit().disabled).toBe(true);
    await type("run-name", "web-2");
    await waitFor(() => expect(screen.queryByTestId("run-error-name")).toBeNull());
    expect(submit().disabled).toBe(false);
  });
});

describe("RunDialog presets", () => {
  const apiLine = "docker run -d --name api -p 3000:3000 -e NODE_ENV=production node:20 npm start";

  it("fills the form from a saved preset, as a pasted line", async () => {
    const b = new MockBackend();
    b.settings.runPresets = [
      { name: "api", line: apiLine },
      { name: "web", line: "docker run -d --name web -p 8080:80 nginx:1.27" },
    ];
    setup("", b);
    const select = screen.getByTestId("run-preset") as HTMLSelectElement;
    await waitFor(() => expect(select.disabled).toBe(false));
    expect([...select.options].map((o) => o.textContent)).toEqual([
      "Fill the form from a preset…",
      "api",
      "web",
    ]);
    await fireEvent.change(select, { target: { value: "api" } });
    await waitFor(() => expect(input("run-image").value).toBe("node:20"));
    expect(input("run-name").value).toBe("api");
    expect(input("run-port-0").value).toBe("3000:3000");
    expect(b.log.filter((l) => l.method === "containerRunParse")[0]!.args).toEqual([apiLine]);
    await waitFor(() => expect(line()).toBe(apiLine));
    expect(select.value).toBe("");
  });

  it("says when there are none", async () => {
    setup();
    const select = screen.getByTestId("run-preset") as HTMLSelectElement;
    await waitFor(() => expect(select.options[0]!.textContent).toBe("No presets saved yet"));
    expect(select.disabled).toBe(true);
    // The image field still gets the focus first.
    expect(document.activeElement).toBe(input("run-image"));
  });

  it("saves the exact line under a name typed inline; a taken name is said next to it", async () => {
    const b = new MockBackend();
    b.settings.runPresets = [{ name: "Web", line: "docker run -d nginx:1.27" }];
    const { form } = setup("nginx:1.27", b);
    const prompt = vi.spyOn(window, "prompt");
    await type("run-name", "site");
    await fireEvent.click(screen.getByTestId("run-port-add"));
    await type("run-port-0", "8080:80");
    const expected = "docker run -d --name site -p 8080:80 nginx:1.27";
    await waitFor(() => expect(line()).toBe(expected));
    const save = screen.getByTestId("run-preset-save") as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    await fireEvent.click(save);
    const name = await screen.findByTestId("run-preset-name");
    await waitFor(() => expect(document.activeElement).toBe(name));

    // Empty, then taken (names are case-insensitive).
    await fireEvent.click(screen.getByTestId("run-preset-save-confirm"));
    expect((await screen.findByTestId("run-error-preset")).textContent).toBe(
      "Give the preset a name.",
    );
    await type("run-preset-name", "web");
    await fireEvent.keyDown(name, { key: "Enter" });
    await waitFor(() =>
      expect(screen.getByTestId("run-error-preset").textContent).toBe(
        "There is already a preset named “web”.",
      ),
    );
    expect(name.getAttribute("aria-invalid")).toBe("true");
    expect(b.settings.runPresets).toHaveLength(1);

    await type("run-preset-name", "site on 8080");
    await fireEvent.click(screen.getByTestId("run-preset-save-confirm"));
    await screen.findByTestId("run-preset-saved");
    expect(screen.queryByTestId("run-preset-name")).toBeNull();
    expect(b.settings.runPresets).toEqual([
      { name: "Web", line: "docker run -d nginx:1.27" },
      { name: "site on 8080", line: expected },
    ]);
    expect(form.presets.map((p) => p.name)).toEqual(["Web", "site on 8080"]);
    expect(
      [...(screen.getByTestId("run-preset") as HTMLSelectElement).options].map((o) => o.value),
    ).toEqual(["", "Web", "site on 8080"]);
    expect(prompt).not.toHaveBeenCalled();
    prompt.mockRestore();
  });

  it("saves a preset without the values of secret variables, and says so", async () => {
    const b = new MockBackend();
    setup("postgres:16", b);
    await fireEvent.click(screen.getByTestId("run-env-add"));
    await type("run-env-key-0", "POSTGRES_PASSWORD");
    await type("run-env-value-0", "hunter2");
    await fireEvent.click(screen.getByTestId("run-env-add"));
    await type("run-env-key-1", "PGDATA");
    await type("run-env-value-1", "/data");
    await waitFor(() => expect(line()).toContain("hunter2"));
    const save = screen.getByTestId("run-preset-save") as HTMLButtonElement;
    await waitFor(() => expect(save.disabled).toBe(false));
    await fireEvent.click(save);
    await type("run-preset-name", "db");
    await fireEvent.click(screen.getByTestId("run-preset-save-confirm"));
    const saved = await screen.findByTestId("run-preset-saved");
    expect(saved.textContent).toContain("The values of secret variables");
    expect(b.settings.runPresets).toHaveLength(1);
    const stored = b.settings.runPresets[0]!.line;
    expect(stored).not.toContain("hunter2");
    expect(stored).toContain("-e POSTGRES_PASSWORD=");
    expect(stored).toContain("-e PGDATA=/data");
  });

  it("cannot save a form with an error; Escape closes the name field only", async () => {
    const { onclose } = setup();
    await waitFor(() => expect(line()).toBe("docker run -d nginx:1.27"));
    await fireEvent.click(screen.getByTestId("run-preset-save"));
    const name = await screen.findByTestId("run-preset-name");
    await fireEvent.keyDown(name, { key: "Escape" });
    expect(screen.queryByTestId("run-preset-name")).toBeNull();
    expect(onclose).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId("run-port-add"));
    await type("run-port-0", "nope");
    await screen.findByTestId("run-error-ports[0]");
    expect((screen.getByTestId("run-preset-save") as HTMLButtonElement).disabled).toBe(true);
  });
});
