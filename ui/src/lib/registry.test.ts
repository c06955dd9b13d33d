import { describe, expect, it } from "vitest";
import { isHub, normalizeRegistry, registryOf, registryTitle, sourceLabel } from "./registry";

describe("registryOf", () => {
  it("follows Docker's rule for the first path component", () => {
    expect(registryOf("nginx")).toBe("docker.io");
    expect(registryOf("nginx:1.27")).toBe("docker.io");
    expect(registryOf("alice/app:1")).toBe("docker.io");
    expect(registryOf("docker.io/alice/app:1")).toBe("docker.io");
    expect(registryOf("index.docker.io/library/nginx")).toBe("docker.io");
    expect(registryOf("ghcr.io/owner/app:1")).toBe("ghcr.io");
    expect(registryOf("localhost:5000/webapp:2.4.0")).toBe("localhost:5000");
    expect(registryOf("localhost/webapp")).toBe("localhost");
    expect(registryOf("Registry.Example.com:443/team/app")).toBe("registry.example.com:443");
    // A first component without "." or ":" is a Hub namespace, not a host.
    expect(registryOf("myregistry/app")).toBe("docker.io");
  });

  it("knows Docker Hub's aliases", () => {
    expect(isHub("docker.io")).toBe(true);
    expect(isHub("index.docker.io")).toBe(true);
    expect(isHub("registry-1.docker.io")).toBe(true);
    expect(isHub("ghcr.io")).toBe(false);
  });
});

describe("normalizeRegistry", () => {
  it("turns addresses into hosts", () => {
    expect(normalizeRegistry("  ghcr.io ")).toBe("ghcr.io");
    expect(normalizeRegistry("https://index.docker.io/v1/")).toBe("docker.io");
    expect(normalizeRegistry("https://Registry.Example.com/v2/")).toBe("registry.example.com");
    expect(normalizeRegistry("http://localhost:5000/")).toBe("localhost:5000");
    expect(normalizeRegistry("registry-1.docker.io")).toBe("docker.io");
    expect(normalizeRegistry("")).toBe("");
  });

  it("leaves a repository path in place for the check to point out", () => {
    expect(normalizeRegistry("ghcr.io/owner/app")).toBe("ghcr.io/owner/app");
  });
});

describe("labels", () => {
  it("says where the credentials live", () => {
    expect(sourceLabel({ kind: "helper", name: "osxkeychain" })).toBe(
      "credential helper docker-credential-osxkeychain",
    );
    expect(sourceLabel({ kind: "configFile" })).toBe("~/.docker/config.json");
    expect(sourceLabel({ kind: "keychain" })).toBe("OS keychain");
  });

  it("names well-known registries", () => {
    expect(registryTitle("docker.io")).toBe("Docker Hub");
    expect(registryTitle("ghcr.io")).toBe("GitHub Container Registry");
    expect(registryTitle("localhost:5000")).toBe("Local registry");
    expect(registryTitle("123456789012.dkr.ecr.eu-west-1.amazonaws.com")).toBe("Amazon ECR");
    expect(registryTitle("registry.example.com")).toBeNull();
  });
});
