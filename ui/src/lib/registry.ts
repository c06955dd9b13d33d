// Registries as Docker names them. Pure functions, unit-tested.

import type { CredentialSource } from "./ipc/backend";

/** Docker Hub's host, as the UI shows it. */
export const HUB = "docker.io";

const HUB_ALIASES = [
  "docker.io",
  "index.docker.io",
  "registry-1.docker.io",
  "registry.hub.docker.com",
];

/**
 * The registry a reference goes to, by Docker's rule: the first path component is a registry
 * host when it has a "." or a ":" or is "localhost"; otherwise it is Docker Hub.
 */
export function registryOf(reference: string): string {
  const r = reference.trim();
  const slash = r.indexOf("/");
  if (slash < 0) return HUB;
  const first = r.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost") {
    const host = first.toLowerCase();
    return HUB_ALIASES.includes(host) ? HUB : host;
  }
  return HUB;
}

export function isHub(registry: string): boolean {
  return HUB_ALIASES.includes(registry.trim().toLowerCase());
}

/**
 * What the user typed as a registry, as a host: no scheme, no `/v1/` or `/v2/`, lowercase,
 * Docker Hub's addresses as `docker.io`. Left as typed (trimmed) when it has a path, so the
 * check can say so.
 */
export function normalizeRegistry(input: string): string {
  let s = input.trim();
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
  s = s.replace(/\/+(v[12]\/*)?$/i, "");
  if (s.includes("/")) return s;
  s = s.toLowerCase();
  return HUB_ALIASES.includes(s) ? HUB : s;
}

/** Where the credentials live, in words. */
export function sourceLabel(source: CredentialSource): string {
  switch (source.kind) {
    case "helper":
      return `credential helper docker-credential-${source.name}`;
    case "configFile":
      return "~/.docker/config.json";
    case "keychain":
      return "OS keychain";
    case "none":
      return "not stored";
  }
}

/** A friendlier name shown under a well-known host. */
export function registryTitle(registry: string): string | null {
  const r = registry.toLowerCase();
  if (isHub(r)) return "Docker Hub";
  if (r === "ghcr.io") return "GitHub Container Registry";
  if (r === "quay.io") return "Quay";
  if (r === "registry.gitlab.com") return "GitLab Container Registry";
  if (r.endsWith(".azurecr.io")) return "Azure Container Registry";
  if (/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(r)) return "Amazon ECR";
  if (r === "gcr.io" || r.endsWith(".gcr.io") || r.endsWith("-docker.pkg.dev"))
    return "Google Artifact Registry";
  if (/^(localhost|127\.0\.0\.1)(:\d+)?$/.test(r)) return "Local registry";
  return null;
}
