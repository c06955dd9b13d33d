import { describe, expect, it } from "vitest";
import { image, MockBackend, mockCommandLine, SAMPLE_REGISTRIES } from "./mock";

describe("MockBackend registries", () => {
  it("lists, logs in (replacing an older login) and logs out", async () => {
    const b = new MockBackend();
    expect(await b.registryList()).toEqual(SAMPLE_REGISTRIES);
    b.credentialStore = { kind: "keychain" };
    await b.registryLogin("localhost:5000", "admin", "pw");
    await b.registryLogin("ghcr.io", "alice", "pw");
    const list = await b.registryList();
    expect(list.map((r) => r.registry)).toEqual(["docker.io", "ghcr.io", "localhost:5000"]);
    expect(list.find((r) => r.registry === "localhost:5000")).toEqual({
      registry: "localhost:5000",
      username: "admin",
      source: { kind: "keychain" },
    });
    await b.registryLogout("https://index.docker.io/v1/");
    expect((await b.registryList()).map((r) => r.registry)).toEqual(["ghcr.io", "localhost:5000"]);
    // A copy: changing it does not change the backend.
    list.pop();
    expect(await b.registryList()).toHaveLength(2);
  });

  it("refuses a wrong password and cannot reach down.example", async () => {
    const b = new MockBackend();
    await expect(b.registryLogin("ghcr.io", "alice", "wrong")).rejects.toMatchObject({
      code: "Unauthorized",
    });
    await expect(b.registryLogin("down.example", "alice", "pw")).rejects.toMatchObject({
      code: "Failed",
    });
    await expect(b.registryLogin("selfsigned.example", "alice", "pw")).rejects.toMatchObject({
      code: "Failed",
      message: expect.stringContaining("/etc/docker/certs.d/selfsigned.example/ca.crt"),
    });
    await expect(b.registryLogin("ghcr.io", "", "pw")).rejects.toMatchObject({
      code: "InvalidInput",
      field: "username",
    });
    expect((await b.registryList()).map((r) => r.registry)).not.toContain("ghcr.io");
  });

  it("pushes to a registry that cannot be reached as a failure", async () => {
    const b = new MockBackend();
    b.images = [image({ id: "sha256:" + "c".repeat(64), repoTags: ["down.example/app:1"] })];
    await expect(b.imagePush("push-1", "down.example/app:1", () => {})).rejects.toMatchObject({
      code: "Failed",
    });
    expect(b.isRunning("push-1")).toBe(false);
  });
});

describe("mockCommandLine", () => {
  it("prints push, login and logout like the docker CLI, never with a password", () => {
    expect(mockCommandLine({ op: "push", reference: "localhost:5000/webapp:2.4.0" }, "")).toBe(
      "docker push localhost:5000/webapp:2.4.0",
    );
    expect(
      mockCommandLine({ op: "login", registry: "localhost:5000", username: "alice" }, ""),
    ).toBe("docker login -u alice localhost:5000");
    expect(mockCommandLine({ op: "login", registry: "ghcr.io", username: "" }, "")).toBe(
      "docker login ghcr.io",
    );
    expect(mockCommandLine({ op: "login", registry: "ghcr.io", username: "o'brien" }, "")).toBe(
      "docker login -u 'o'\\''brien' ghcr.io",
    );
    expect(mockCommandLine({ op: "logout", registry: "docker.io" }, "")).toBe(
      "docker logout docker.io",
    );
  });
});

describe("MockBackend settings v3, ports and the first paint", () => {
  it("keeps run presets checked like the app: names unique, lines that parse", async () => {
    const b = new MockBackend();
    const s = await b.settingsGet();
    expect(s.version).toBe(3);
    const line = "docker run -d --name web -p 8080:80 nginx:1.27";
    const saved = await b.settingsSet({
      ...s,
      runPresets: [{ name: " web ", line: `${line} ` }],
      recentContexts: ["/a", "", "/a", "/b"],
    });
    expect(saved.runPresets).toEqual([{ name: "web", line }]);
    expect(saved.recentContexts).toEqual(["/a", "/b"]);
    await expect(
      b.settingsSet({ ...saved, runPresets: [...saved.runPresets, { name: "WEB", line }] }),
    ).rejects.toMatchObject({
      code: "InvalidInput",
      field: "runPresets",
      message: expect.stringContaining("already a preset named “WEB”"),
    });
    await expect(
      b.settingsSet({ ...saved, runPresets: [{ name: "x", line: "ls -l" }] }),
    ).rejects.toMatchObject({ field: "runPresets" });
    await expect(
      b.settingsSet({ ...saved, runPresets: [{ name: "", line }] }),
    ).rejects.toMatchObject({ field: "runPresets" });
    expect(b.settings.runPresets).toEqual([{ name: "web", line }]);
  });

  it("opens only a published port's http://address:port/", async () => {
    const b = new MockBackend();
    await b.portOpen("http://localhost:8080/");
    await b.portOpen("http://127.0.0.1:3000/");
    await b.portOpen("http://[::1]:8443/");
    for (const bad of [
      "http://localhost:8080",
      "https://localhost:8080/",
      "http://example.com:80/",
      "http://localhost:0/",
      "file:///etc/passwd",
    ])
      await expect(b.portOpen(bad)).rejects.toMatchObject({ code: "InvalidInput", field: "url" });
    expect(b.openedUrls).toEqual([
      "http://localhost:8080/",
      "http://127.0.0.1:3000/",
      "http://[::1]:8443/",
    ]);
  });
});
