import { afterEach, describe, expect, it, vi } from "vitest";
import { RunForm, openRun } from "./model.svelte";
import { container, image, MockBackend } from "../../ipc/mock";
import { parseRunLine } from "../../ipc/mock-run";
import { AppModel } from "../../stores/app.svelte";
import type { RunSpec } from "./types";

const flush = () => new Promise((r) => setTimeout(r, 0));
const settle = async () => {
  for (let i = 0; i < 20; i++) await flush();
};

afterEach(() => {
  vi.useRealTimers();
});

function runs(b: MockBackend) {
  return b.log
    .filter((l) => l.method === "containerRun")
    .map((l) => ({ spec: l.args[1] as RunSpec, acceptRisks: l.args[2] as boolean }));
}

describe("RunForm", () => {
  it("checks once typing stops, and only when the form changed", async () => {
    vi.useFakeTimers();
    const b = new MockBackend();
    const m = new RunForm(b, "nginx:1.27");
    const checks = () => b.log.filter((l) => l.method === "containerRunCheck").length;
    expect(m.sync()).toBe(true);
    m.form.name = "w";
    expect(m.sync()).toBe(true);
    m.form.name = "web";
    expect(m.sync()).toBe(true);
    expect(m.checking).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(checks()).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(checks()).toBe(1);
    expect(m.line).toBe("docker run -d --name web nginx:1.27");
    expect(m.checking).toBe(false);
    expect(m.sync()).toBe(false);
  });

  it("splits the command text through the backend, with shell quoting", async () => {
    const b = new MockBackend();
    const m = new RunForm(b, "busybox");
    m.form.command = `sh -c "echo hi; exit 3"`;
    expect(await m.check()).toBe(true);
    expect(m.spec.command).toEqual(["sh", "-c", "echo hi; exit 3"]);
    expect(m.line).toBe("docker run -d busybox sh -c 'echo hi; exit 3'");
    const parse = b.log.find((l) => l.method === "containerRunParse")!;
    expect(parse.args[0]).toBe(`docker run image sh -c "echo hi; exit 3"`);
    // Unchanged command text: not split again.
    m.form.name = "x";
    await m.check();
    expect(b.log.filter((l) => l.method === "containerRunParse")).toHaveLength(1);
    m.form.command = `echo "unclosed`;
    expect(await m.check()).toBe(false);
    expect(m.fieldErrors).toEqual({ command: 'A quote (") is not closed.' });
  });

  it("puts a check error on the form row it is about", async () => {
    const m = new RunForm(new MockBackend(), "nginx");
    m.form.ports = ["", "8080:80", "99999:80"];
    expect(await m.check()).toBe(false);
    expect(m.fieldErrors).toEqual({ "ports[2]": "99999 is not a port number (1–65535)" });
    expect(m.rowError("ports", 2)?.[1]).toBe("99999 is not a port number (1–65535)");
    expect(m.rowError("ports", 1)).toBeUndefined();
    expect(m.canRun).toBe(false);
    m.form.ports[2] = "9090:80";
    expect(await m.check()).toBe(true);
    expect(m.fieldErrors).toEqual({});
    expect(m.canRun).toBe(true);
  });

  it("fills the form from a pasted line, and says what is wrong with a bad one", async () => {
    const b = new MockBackend();
    const m = new RunForm(b, "nginx");
    expect(await m.paste("docker run -d --name x -p 1:2 img cmd")).toBe(true);
    expect(m.form).toMatchObject({ image: "img", name: "x", ports: ["1:2"], command: "cmd" });
    expect(m.spec.command).toEqual(["cmd"]);
    expect(m.mode).toBe("detached");
    expect(await m.paste("docker run --cpus 2 img")).toBe(false);
    expect(m.pasteError).toMatchObject({ code: "InvalidInput", field: "line" });
    expect(m.pasteError?.message).toMatch(/^--cpus is not an option/);
    expect(await m.paste("docker run -e TOKEN img")).toBe(false);
    expect(m.pasteError?.field).toBe("env");
    // The form is as the good paste left it.
    expect(m.form.image).toBe("img");
  });

  it("asks to confirm risky options, then runs accepting them", async () => {
    const b = new MockBackend();
    const m = new RunForm(b, "nginx:1.27");
    m.form.privileged = true;
    m.form.network = "host";
    await m.run();
    expect(m.stage.state).toBe("confirm");
    expect(m.risks.map((r) => r.field)).toEqual(["privileged", "network"]);
    expect(runs(b)).toHaveLength(0);
    await m.confirm();
    expect(m.stage.state).toBe("started");
    expect(runs(b)).toEqual([
      { spec: expect.objectContaining({ privileged: true, network: "host" }), acceptRisks: true },
    ]);
  });

  it("pulls a missing image through the app's pull, then runs", async () => {
    const b = new MockBackend();
    const app = new AppModel(b);
    const started = vi.fn();
    const m = new RunForm(b, "missing:latest", { pull: app.pull, onStarted: started });
    m.form.command = "sleep 1d";
    await m.run();
    expect(m.stage).toMatchObject({ state: "notLocal", image: "missing:latest" });
    await m.pullAndRun();
    expect(app.pull.state).toBe("done");
    expect(app.pull.target).toBe("missing:latest");
    expect(m.stage.state).toBe("started");
    expect(started).toHaveBeenCalledWith(expect.objectContaining({ exited: null }));
    expect(runs(b)).toHaveLength(2);
  });

  it("shows a failed pull and stays on the offer", async () => {
    const b = new MockBackend();
    b.failOn.imagePull = { code: "NotFound", message: "missing:latest was not found", field: null };
    const m = new RunForm(b, "missing:latest");
    await m.run();
    await m.pullAndRun();
    expect(m.stage).toMatchObject({
      state: "notLocal",
      pulling: false,
      error: { code: "NotFound" },
    });
  });

  it("puts a name conflict on the name and a port conflict on the ports", async () => {
    const b = new MockBackend();
    b.containers = [
      container({
        name: "web",
        ports: [{ ip: "0.0.0.0", privatePort: 80, publicPort: 8080, protocol: "tcp" }],
      }),
    ];
    const m = new RunForm(b, "nginx");
    m.form.name = "web";
    await m.run();
    expect(m.stage.state).toBe("form");
    expect(m.fieldErrors.name).toMatch(/“web” is already in use/);
    m.form.name = "web2";
    m.form.ports = ["8080:80"];
    await m.run();
    expect(m.fieldErrors).toEqual({
      ports: "Port 8080 is already in use (by web): choose another host port.",
    });
    expect(b.containers.map((c) => c.name)).toEqual(["web"]);
  });

  it("shows a container that exited at once with its code and last lines", async () => {
    const b = new MockBackend();
    const m = new RunForm(b, "busybox");
    m.form.command = `sh -c "echo boom; exit 3"`;
    await m.run();
    expect(m.stage).toMatchObject({
      state: "exited",
      attached: false,
      outcome: { exited: { code: 3, lastLines: ["boom"] } },
    });
    expect(m.output.text()).toBe("boom");
    m.back();
    expect(m.stage.state).toBe("form");
    expect(m.form.command).toBe(`sh -c "echo boom; exit 3"`);
  });

  it("streams an attached run's output until it exits", async () => {
    const b = new MockBackend();
    const m = new RunForm(b, "hello-world");
    m.setMode("attached");
    await m.run();
    expect(m.stage).toMatchObject({
      state: "exited",
      attached: true,
      outcome: { exited: { code: 0 } },
    });
    expect(m.output.text()).toContain("Hello from Docker!");
    expect(m.output.lines.length).toBe(3);
  });

  it("stops an attached run", async () => {
    const b = new MockBackend();
    const m = new RunForm(b, "busybox");
    m.setMode("attached");
    m.form.command = "sh -c 'echo started; sleep 1d'";
    const done = m.run();
    for (let i = 0; i < 50 && m.output.text() === ""; i++) await flush();
    expect(m.stage).toMatchObject({ state: "running", attached: true });
    await m.stop();
    await done;
    expect(m.stage.state).toBe("stopped");
    expect(m.output.text()).toBe("started");
    expect(b.containers[0]).toMatchObject({
      state: "exited",
      status: expect.stringContaining("137"),
    });
  });

  it("opens from the app and, once started, closes with a notice on the Containers page", async () => {
    const b = new MockBackend();
    b.images = [image({ id: "sha256:" + "a".repeat(64), repoTags: ["nginx:1.27"] })];
    const app = new AppModel(b);
    app.page = "images";
    openRun(app, "nginx:1.27");
    const form = app.run!;
    expect(form.form.image).toBe("nginx:1.27");
    form.form.name = "web";
    await form.run();
    await settle();
    expect(app.run).toBeNull();
    expect(app.page).toBe("containers");
    expect(app.notice?.text).toBe("Started web");
  });
});

describe("the mock's docker run parser", () => {
  it("reads the common options", () => {
    const spec = parseRunLine(
      `docker run -dit --rm --name=api -p 3000:3000 -v /srv:/data:ro -e "GREETING=hello world" --restart on-failure:2 --entrypoint /bin/sh node:20 -c 'npm start'`,
    );
    expect(spec).toMatchObject({
      image: "node:20",
      name: "api",
      detach: true,
      interactive: true,
      tty: true,
      remove: true,
      ports: ["3000:3000"],
      volumes: [{ source: "/srv", target: "/data", readOnly: true }],
      env: [{ key: "GREETING", value: "hello world" }],
      restart: { policy: "on-failure", maxRetries: 2 },
      entrypoint: "/bin/sh",
      command: ["-c", "npm start"],
    });
  });
});

describe("RunForm presets", () => {
  it("saves the checked line as a preset; the app's settings follow", async () => {
    const b = new MockBackend();
    const app = new AppModel(b);
    app.runImage("redis:7.4");
    const form = app.run!;
    form.form.name = "cache";
    await form.loadPresets();
    expect(form.presets).toEqual([]);
    form.startSavePreset();
    form.presetName = "  cache  ";
    expect(await form.savePreset()).toBe(true);
    const saved = [{ name: "cache", line: "docker run -d --name cache redis:7.4" }];
    expect(b.settings.runPresets).toEqual(saved);
    expect(app.settings?.runPresets).toEqual(saved);
    expect(form.presetName).toBeNull();
    expect(form.presetSaved).toBe("cache");
    app.closeRun();
  });

  it("a preset with a line that no longer fits the form says so where a paste does", async () => {
    const b = new MockBackend();
    const form = new RunForm(b, "nginx:1.27");
    b.settings.runPresets = [{ name: "old", line: "docker run -d nginx:1.27" }];
    await form.loadPresets();
    form.presets = [{ name: "old", line: "docker run --gpus all nginx" }];
    expect(await form.usePreset("old")).toBe(false);
    expect(form.pasteError?.message).toContain("--gpus");
    expect(await form.usePreset("nope")).toBe(false);
    expect(form.form.image).toBe("nginx:1.27");
    form.dispose();
  });
});
