import { describe, expect, it } from "vitest";
import { PushRun } from "./push.svelte";
import { image, MockBackend } from "../../ipc/mock";

function backend() {
  const b = new MockBackend();
  b.images = [
    image({
      id: "sha256:" + "a".repeat(64),
      repoTags: ["webapp:dev", "localhost:5000/webapp:2.4.0", "ghcr.io/acme/webapp:2.4.0"],
    }),
  ];
  return b;
}

describe("PushRun", () => {
  it("pushes three layers with progress and ends with a digest", async () => {
    const b = backend();
    const seen: { done: number; total: number }[] = [];
    const orig = b.imagePush.bind(b);
    b.imagePush = (op, ref, cb) =>
      orig(op, ref, (p) => (seen.push({ done: p.layersDone, total: p.total }), cb(p)));
    const p = new PushRun(b);
    await p.start("localhost:5000/webapp:2.4.0");
    expect(p.state).toBe("done");
    expect(p.result?.reference).toBe("localhost:5000/webapp:2.4.0");
    expect(p.result?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(p.result?.status).toContain(`2.4.0: digest: ${p.result?.digest}`);
    expect(p.progress?.layers).toHaveLength(3);
    expect(p.progress?.layers.every((l) => l.status === "Pushed")).toBe(true);
    expect(p.progress?.layersDone).toBe(3);
    expect(seen[0]).toEqual({ done: 0, total: 0 });
    expect(seen.some((s) => s.done > 0 && s.done < 3)).toBe(true);
    expect(b.images[0]?.repoDigests).toContain(`localhost:5000/webapp@${p.result?.digest}`);
    expect(p.loginNeeded).toBeNull();
  });

  it("offers to log in when the registry refuses, and pushes after the login", async () => {
    const b = backend();
    const p = new PushRun(b);
    await p.start("ghcr.io/acme/webapp:2.4.0");
    expect(p.state).toBe("failed");
    expect(p.error?.code).toBe("Unauthorized");
    expect(p.loginNeeded).toBe("ghcr.io");

    await b.registryLogin("ghcr.io", "acme-bot", "token");
    await p.start();
    expect(p.state).toBe("done");
    expect(p.error).toBeNull();
    expect(p.loginNeeded).toBeNull();
  });

  it("reports a tag the engine does not have, a bad reference, and a Hub library name", async () => {
    const b = backend();
    const p = new PushRun(b);
    await p.start("localhost:5000/other:1");
    expect(p.error?.code).toBe("NotFound");
    expect(p.loginNeeded).toBeNull();
    await p.start("localhost:5000/webapp@sha256:" + "b".repeat(64));
    expect(p.error).toMatchObject({ code: "InvalidInput", field: "reference" });
    await p.start("webapp:dev");
    expect(p.error?.code).toBe("Failed");
    expect(p.error?.message).toContain("alice/webapp:dev");
  });

  it("can be cancelled, and reset for another tag", async () => {
    const b = backend();
    b.delay = 5;
    const p = new PushRun(b);
    const run = p.start("localhost:5000/webapp:2.4.0");
    await new Promise((r) => setTimeout(r, 25));
    expect(p.running).toBe(true);
    p.reset("ghcr.io/acme/webapp:2.4.0");
    expect(p.reference).toBe("localhost:5000/webapp:2.4.0");
    await p.cancel();
    await run;
    expect(p.state).toBe("cancelled");
    expect(p.error).toBeNull();
    const op = b.log.find((l) => l.method === "imagePush")?.args[0] as string;
    expect(op).toMatch(/^push-/);
    expect(b.isRunning(op)).toBe(false);
    p.reset("ghcr.io/acme/webapp:2.4.0");
    expect([p.state, p.reference, p.pushed, p.progress]).toEqual([
      "idle",
      "ghcr.io/acme/webapp:2.4.0",
      "",
      null,
    ]);
  });
});
