import { describe, expect, it } from "vitest";
import { PullRun } from "./pull.svelte";
import { MockBackend } from "../../ipc/mock";

describe("PullRun", () => {
  it("pulls with three layers of progress and adds the image", async () => {
    const b = new MockBackend();
    const seen: number[] = [];
    const p = new PullRun(b);
    const orig = b.imagePull.bind(b);
    b.imagePull = (op, ref, cb) => orig(op, ref, (x) => (seen.push(x.layersDone), cb(x)));
    await p.start("nginx");
    expect(p.state).toBe("done");
    expect(p.result).toMatchObject({ reference: "nginx:latest" });
    expect(p.result?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(p.progress?.layers).toHaveLength(3);
    expect(p.progress?.layersDone).toBe(3);
    expect(seen[0]).toBe(0);
    expect(b.findImage("nginx:latest")).toBeDefined();
  });

  it("reports an unknown image and can be cancelled", async () => {
    const b = new MockBackend();
    const p = new PullRun(b);
    await p.start("notfound/app:1");
    expect(p.state).toBe("failed");
    expect(p.error?.code).toBe("NotFound");

    b.delay = 5;
    const run = p.start("redis:7");
    await new Promise((r) => setTimeout(r, 20));
    expect(p.running).toBe(true);
    await p.cancel();
    await run;
    expect(p.state).toBe("cancelled");
    expect(p.error).toBeNull();
  });
});
