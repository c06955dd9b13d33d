import { describe, expect, it } from "vitest";
import { checkLogin, LoginForm } from "./login.svelte";
import { DOWN_REGISTRY, MockBackend, WRONG_PASSWORD } from "../../ipc/mock";

const filled = (b: MockBackend, registry = "ghcr.io") => {
  const f = new LoginForm(b, registry);
  f.username = "alice";
  f.password = "s3cret";
  return f;
};

describe("checkLogin", () => {
  it("asks for each field", () => {
    expect(checkLogin({ registry: "", username: " ", password: "" })).toEqual({
      registry: expect.stringContaining("docker.io for Docker Hub"),
      username: "Enter the user name.",
      password: "Enter the password or token.",
    });
    expect(checkLogin({ registry: "ghcr.io", username: "a", password: "p" })).toEqual({});
  });

  it("wants a host, not an address with a path or spaces", () => {
    const ok = { username: "a", password: "p" };
    expect(checkLogin({ ...ok, registry: "https://index.docker.io/v1/" })).toEqual({});
    expect(checkLogin({ ...ok, registry: "ghcr.io/owner/app" }).registry).toBe(
      "Enter only the host (ghcr.io), not a repository path.",
    );
    expect(checkLogin({ ...ok, registry: "my registry" }).registry).toBe(
      "A registry host has no spaces.",
    );
  });

  it("keeps a password as typed (spaces count)", () => {
    expect(checkLogin({ registry: "r.io", username: "a", password: " " })).toEqual({});
  });
});

describe("LoginForm", () => {
  it("logs in, sends the host and trimmed user, and forgets the password", async () => {
    const b = new MockBackend();
    b.registries = [];
    const f = new LoginForm(b, "https://GHCR.io/");
    f.username = " alice ";
    f.password = "s3cret";
    const entry = await f.submit();
    expect(entry).toEqual({
      registry: "ghcr.io",
      username: "alice",
      source: { kind: "helper", name: "secretservice" },
    });
    expect(f.password).toBe("");
    expect(f.error).toBeNull();
    expect(await b.registryList()).toEqual([entry]);
    // The call log (what a test or a bug report would show) never holds the password.
    expect(JSON.stringify(b.log)).not.toContain("s3cret");
  });

  it("shows a refusal clearly and clears the password", async () => {
    const b = new MockBackend();
    const f = filled(b);
    f.password = WRONG_PASSWORD;
    expect(await f.submit()).toBeNull();
    expect(f.error?.code).toBe("Unauthorized");
    expect(f.error?.message).toContain("ghcr.io refused the credentials");
    expect(f.fieldErrors).toEqual({});
    expect(f.password).toBe("");
    // The rest of the form stays for another try.
    expect([f.registry, f.username]).toEqual(["ghcr.io", "alice"]);
    expect(f.busy).toBe(false);
  });

  it("says when the registry cannot be reached", async () => {
    const b = new MockBackend();
    const f = filled(b, DOWN_REGISTRY);
    expect(await f.submit()).toBeNull();
    expect(f.error?.code).toBe("Failed");
    expect(f.error?.message).toContain("cannot be reached");
    expect(f.password).toBe("");
  });

  it("says when the engine is down", async () => {
    const b = new MockBackend({
      state: "disconnected",
      host: null,
      error: { code: "DaemonUnreachable", message: "down" },
      retryInMs: 1000,
      attempt: 1,
    });
    const f = filled(b);
    expect(await f.submit()).toBeNull();
    expect(f.error?.code).toBe("DaemonUnreachable");
    expect(f.password).toBe("");
  });

  it("checks the fields before asking the engine, and clears the password then too", async () => {
    const b = new MockBackend();
    const f = new LoginForm(b);
    f.password = "s3cret";
    expect(await f.submit()).toBeNull();
    expect(Object.keys(f.fieldErrors)).toEqual(["registry", "username"]);
    expect(f.firstInvalid).toBe("registry");
    expect(f.password).toBe("");
    expect(b.log.filter((l) => l.method === "registryLogin")).toHaveLength(0);
  });

  it("puts the engine's field errors next to the field", async () => {
    const b = new MockBackend();
    b.failOn.registryLogin = {
      code: "InvalidInput",
      message: "username: Enter the user name.",
      field: "username",
    };
    const f = filled(b);
    expect(await f.submit()).toBeNull();
    expect(f.fieldErrors).toEqual({ username: "Enter the user name." });
    expect(f.firstInvalid).toBe("username");
    expect(f.error).toBeNull();
    expect(f.password).toBe("");
  });

  it("clears the errors of the last try on the next one", async () => {
    const b = new MockBackend();
    const f = filled(b);
    f.password = WRONG_PASSWORD;
    await f.submit();
    expect(f.error).not.toBeNull();
    f.password = "right";
    expect(await f.submit()).not.toBeNull();
    expect(f.error).toBeNull();
    expect(f.fieldErrors).toEqual({});
  });

  it("forgets the password when disposed", () => {
    const f = filled(new MockBackend());
    f.dispose();
    expect(f.password).toBe("");
  });
});
