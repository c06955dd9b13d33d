// Which of an image's tags to push, and what to suggest when none goes to a registry of the
// user's own. Pure functions, unit-tested.

import { isHub, registryOf } from "../../registry";

export interface PushTarget {
  reference: string;
  registry: string;
  /** Goes to Docker Hub. */
  hub: boolean;
  /** A Hub name without a namespace (`webapp:dev` → `docker.io/library/webapp`): not pushable. */
  library: boolean;
}

export interface PushChoice {
  targets: PushTarget[];
  /** The tag selected at first, or null when the image has none. */
  preferred: string | null;
  /** No tag goes to a registry other than Docker Hub: suggest tagging it first. */
  needsTag: boolean;
}

function target(reference: string): PushTarget {
  const registry = registryOf(reference);
  const hub = isHub(registry);
  const path = reference.replace(/^(docker\.io|index\.docker\.io)\//, "");
  const name = path.split(/[:@]/)[0] ?? path;
  return {
    reference,
    registry,
    hub,
    library: hub && (!name.includes("/") || name.startsWith("library/")),
  };
}

/**
 * The image's tags as push targets. Selected first: `prefer` when it is one of them, else the
 * first tag for a registry other than Hub, else a Hub tag with a namespace, else the first.
 */
export function pushChoice(repoTags: string[], prefer: string | null = null): PushChoice {
  const targets = repoTags.filter((t) => t && t !== "<none>:<none>").map(target);
  const pick =
    targets.find((t) => t.reference === prefer) ??
    targets.find((t) => !t.hub) ??
    targets.find((t) => !t.library) ??
    targets[0];
  return {
    targets,
    preferred: pick?.reference ?? null,
    needsTag: !targets.some((t) => !t.hub),
  };
}

/**
 * A tag to propose in "Tag it first": the same name under the first registry (not Hub) the user
 * is logged in to, e.g. `webapp:dev` → `localhost:5000/webapp:dev`. Null when there is none.
 */
export function suggestTarget(reference: string | null, registries: string[]): string | null {
  const host = registries.find((r) => !isHub(r));
  if (!host || !reference) return null;
  let path = reference;
  const registry = registryOf(reference);
  if (!isHub(registry)) path = path.slice(path.indexOf("/") + 1);
  else path = path.replace(/^(docker\.io|index\.docker\.io)\//, "").replace(/^library\//, "");
  return `${host}/${path}`;
}
