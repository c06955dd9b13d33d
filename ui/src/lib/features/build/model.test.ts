import { describe, expect, it } from "vitest";
import { BuildModel } from "./model.svelte";
import { buildOptions, MockBackend } from "../../ipc/mock";

const flush = () => new Promise((r) => setTimeout(r, 0));
const settle = async () => {
  for (let i = 0; i < 30; i++) await flush();
};

async function opened(b = new MockBackend()) {
  const m = new BuildModel(b);
  expect(await m.openPath("/home/me/projects/webapp")).toBe(true);
  await settle();
  return { m, b };
}

describe("BuildModel", () => {
  it("opens a folder, loads the Dockerfile's args and stages, and scans it", async () => {
    const { m } = await opened();
    expect(m.context?.name).toBe("webapp");
    expect(m.dockerfile).toBe("Dockerfile");
    expect(m.stages).toEqual(["deps", "build", "runtime"]);
    expect(m.form.args.map((a) => a.key)).toEqual(["NODE_VERSION", "APP_ENV", "GIT_SHA"]);
    expect(m.scan.state).toBe("done");
    if (m.scan.state === "done") expect(m.scan.summary.files).toBe(2431);
    expect(m.command).toMatchObject({ op: "build", contextId: m.context!.id });
  });

  it("shows an unknown path's error on the path field", async () => {
    const m = new BuildModel(new MockBackend());
    expect(await m.openPath("/home/me/missing")).toBe(false);
    expect(m.openError).toMatchObject({ code: "InvalidInput", field: "context" });
    expect(m.context).toBeNull();
  });

  it("opens a dropped Dockerfile's folder with that file chosen", async () => {
    const m = new BuildModel(new MockBackend());
    await m.openPath("/home/me/projects/webapp/docker/dev.Dockerfile");
    expect(m.context?.display).toBe("/home/me/projects/webapp/docker");
  });

  it("re-reads the Dockerfile only when it changes", async () => {
    const { m, b } = await opened();
    const infos = () => b.log.filter((l) => l.method === "dockerfileInfo").length;
    expect(infos()).toBe(1);
    m.form.tags[0] = "app:1";
    expect(m.sync(0)).toBe(false);
    m.form.dockerfileChoice = "docker/dev.Dockerfile";
    expect(m.sync(0)).toBe(true);
    await settle();
    expect(infos()).toBe(2);
    expect(m.stages).toEqual([]);
    if (m.scan.state === "done") expect(m.scan.summary.warnings).toHaveLength(1);
  });

  it("puts a missing Dockerfile's error on the Dockerfile field", async () => {
    const { m } = await opened();
    m.form.dockerfileChoice = "\u0000other";
    m.form.dockerfileOther = "nope.Dockerfile";
    m.sync(0);
    await settle();
    expect(m.fieldErrors.dockerfile).toMatch(/does not exist/);
    expect(m.scan.state).toBe("failed");
  });

  it("builds, streaming upload, output and the result, then refreshes the history", async () => {
    const { m, b } = await opened();
    m.form.tags = ["webapp:dev", ""];
    await m.start();
    expect(m.run.state).toBe("succeeded");
    if (m.run.state !== "succeeded") return;
    expect(m.run.result.tags).toEqual(["webapp:dev"]);
    expect(m.upload).toEqual({ sent: 20_190_000, total: 20_190_000 });
    const text = m.output.text();
    expect(text).toContain("Successfully tagged webapp:dev");
    expect(text).not.toContain("\x1b");
    expect(m.output.lines.length).toBeGreaterThan(20);
    expect(m.history).toHaveLength(1);
    expect(m.history[0]).toMatchObject({ outcome: "succeeded", tags: ["webapp:dev"] });
    const call = b.log.find((l) => l.method === "imageBuild")!;
    expect((call.args[1] as { expectedBytes: number }).expectedBytes).toBe(20_190_000);
    expect(call.args[0]).toMatch(/^build-\d+-\d+$/);
  });

  it("shows a bad tag next to the tags field and starts nothing", async () => {
    const { m, b } = await opened();
    m.form.tags = ["MyApp"];
    await m.start();
    expect(m.run.state).toBe("failed");
    expect(m.fieldErrors.tags).toMatch(/lowercase/);
    expect(b.history).toHaveLength(0);
  });

  it("reports a failed build with the daemon's reason", async () => {
    const { m } = await opened();
    m.form.args.push({
      key: "FAIL",
      value: "1",
      declared: false,
      default: null,
      scope: null,
      edited: true,
    });
    await m.start();
    expect(m.run).toMatchObject({ state: "failed", error: { code: "Failed" } });
    expect(m.history[0]).toMatchObject({ outcome: "failed" });
  });

  it("cancels a running build", async () => {
    const b = new MockBackend();
    const { m } = await opened(b);
    b.delay = 5;
    const done = m.start();
    await new Promise((r) => setTimeout(r, 30));
    expect(m.run.state).toBe("running");
    await m.cancel();
    await done;
    expect(m.run.state).toBe("cancelled");
    expect(m.history[0]!.outcome).toBe("cancelled");
    // A folder cannot be swapped under a running build, but can after.
    expect(m.setContext(m.context!)).toBe(true);
  });

  it("rebuilds a history entry with exactly its options, and edits one into the form", async () => {
    const b = new MockBackend();
    const { m } = await opened(b);
    const options = buildOptions({
      dockerfile: "Dockerfile",
      tags: ["webapp:2"],
      buildArgs: [{ key: "APP_ENV", value: "staging" }],
      target: "build",
      noCache: true,
    });
    await m.start(options);
    const record = m.history[0]!;
    const other = new BuildModel(b);
    await other.rebuild(record);
    expect(other.run.state).toBe("succeeded");
    const last = b.log.filter((l) => l.method === "imageBuild").at(-1)!;
    expect((last.args[1] as { options: unknown }).options).toEqual(options);

    const edited = new BuildModel(b);
    expect(await edited.edit(record)).toBe(true);
    await settle();
    expect(edited.run.state).toBe("idle");
    expect(edited.options).toEqual(options);
    expect(edited.form.args.find((a) => a.key === "APP_ENV")).toMatchObject({
      declared: true,
      value: "staging",
    });
  });

  it("cancels a stale scan when the Dockerfile changes", async () => {
    const b = new MockBackend();
    b.delay = 5;
    const m = new BuildModel(b);
    await m.openPath("/home/me/projects/webapp");
    await flush();
    expect(m.scan.state).toBe("running");
    const first = m.scan.state === "running" ? m.scan.op : "";
    m.form.dockerfileChoice = "docker/dev.Dockerfile";
    await m.reload();
    expect(b.log.some((l) => l.method === "opCancel" && l.args[0] === first)).toBe(true);
    expect(m.scan.state).toBe("done");
  });
});
