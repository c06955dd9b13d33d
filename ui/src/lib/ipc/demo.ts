// Sample data for running the UI in a plain browser, without the Tauri shell, and a few URL
// switches to open a page in a given state (for screenshots and manual checks):
//   ?page=images&image=nginx:1.27&tab=layers|json&dialog=pull|search|prune|remove|tag
//   ?page=images&image=webapp:dev&dialog=push&tag=localhost:5000/webapp:2.4.0&start=1&cancel=1
//     (start the push, cancel it a moment later; &login=1 follows an "Unauthorized" to the login;
//     &tagfirst=1 follows "Tag it first" with the suggested tag)
//   ?page=registries&empty=1   ?page=registries&dialog=login&registry=…&user=…&password=wrong
//   ?page=registries&dialog=logout&registry=docker.io
//   ?page=build&demo=form|running|pull|done|failed|badtag|empty   ?dialog=tag&target=…   ?drop=1 (the drag overlay)
//   ?page=images&demo=run (the Run dialog, filled, with a risk)&step=confirm|exited|attached|missing
//   ?page=containers&demo=logs (the log viewer, following)&search=…&wrap=1&pause=1&hostile=1&dropped=1
//   ?page=containers&demo=detail (a running container's detail, stats flowing)&tab=logs|stats|inspect…
//   ?page=containers&demo=bulk (two selected)&action=stop|remove (its confirm)&confirm=1
//   ?page=containers&dialog=prune|rename|commit&confirm=1
// Dragging a file or folder from the desktop onto the page simulates a drop.

import { buildOptions, container, image, MockBackend, SAMPLE_REGISTRIES } from "./mock";
import type { AppModel } from "../stores/app.svelte";
import type { PageId } from "../features/shell/pages";
import { sleep, waitFor } from "./demo-dom";

export function demoBackend(): MockBackend {
  const b = new MockBackend();
  b.delay = 90;
  const now = Math.floor(Date.now() / 1000);
  b.containers = [
    container({
      name: "web",
      image: "nginx:1.27",
      imageId: "sha256:4f3a9c1e7b2d",
      ports: [{ ip: "0.0.0.0", privatePort: 80, publicPort: 8080, protocol: "tcp" }],
      created: now - 300,
    }),
    container({ name: "db", image: "postgres:16", status: "Up 3 hours", created: now - 11000 }),
    container({
      name: "job",
      image: "busybox",
      state: "exited",
      status: "Exited (0) 2 days ago",
      created: now - 200000,
    }),
    container({
      name: "shop-cache-1",
      image: "redis:7.4",
      status: "Up 2 hours (Paused)",
      state: "paused",
      composeProject: "shop",
      ports: [{ ip: "127.0.0.1", privatePort: 6379, publicPort: 6379, protocol: "tcp" }],
      created: now - 8000,
    }),
    container({
      name: "migrate",
      image: "webapp:dev",
      state: "exited",
      status: "Exited (137) 40 minutes ago",
      created: now - 3000,
    }),
  ];
  b.images = [
    image({
      id: "sha256:7a1f0c3b9e2d4c5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f",
      repoTags: ["webapp:dev", "webapp:latest", "localhost:5000/webapp:2.4.0"],
      size: 184_300_000,
      created: now - 1800,
    }),
    image({
      id: "sha256:4f3a9c1e7b2d4e6f8a0b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f",
      repoTags: ["nginx:1.27"],
      repoDigests: [
        "nginx@sha256:0a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b",
      ],
      size: 192_000_000,
      created: now - 86400 * 9,
      containers: 1,
    }),
    image({
      id: "sha256:8d1e22b0c4f6a8e0d2b4f6a8c0e2d4f6b8a0c2e4d6f8a0b2c4d6e8f0a2b4c6d8",
      repoTags: ["postgres:16"],
      size: 438_000_000,
      created: now - 86400 * 21,
    }),
    image({
      id: "sha256:3c5e7a9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c",
      repoTags: ["ghcr.io/example-org/payments-service-with-a-very-long-name:2024.11.28-rc.3"],
      size: 96_400_000,
      created: now - 86400 * 40,
    }),
    image({
      id: "sha256:0b7c55e2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c2e4a6c8e0a2c4e6a8",
      size: 4_300_000,
      created: now - 7200,
    }),
    image({
      id: "sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d",
      size: 212_600_000,
      created: now - 86400 * 3,
    }),
  ];
  b.registries = [
    ...structuredClone(SAMPLE_REGISTRIES),
    { registry: "quay.io", username: "example+ci_robot", source: { kind: "keychain" as const } },
  ].sort((x, y) => x.registry.localeCompare(y.registry));
  const ctx = b.openPath("/home/me/projects/webapp").context;
  const ms = Date.now();
  b.history = [
    {
      context: ctx,
      options: buildOptions({
        tags: ["webapp:dev", "webapp:latest"],
        buildArgs: [{ key: "APP_ENV", value: "staging" }],
      }),
      startedAt: ms - 1_800_000,
      durationMs: 41_200,
      outcome: "succeeded",
      imageId: "sha256:7a1f0c3b9e2d4c5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f",
      tags: ["webapp:dev", "webapp:latest"],
      error: null,
    },
    {
      context: ctx,
      options: buildOptions({ tags: ["webapp:dev"], target: "build", noCache: true }),
      startedAt: ms - 5_400_000,
      durationMs: 18_900,
      outcome: "failed",
      imageId: null,
      tags: [],
      error: "The command '/bin/sh -c npm run build' returned a non-zero code: 1",
    },
    {
      context: b.openPath("/home/me/projects/api-gateway").context,
      options: buildOptions({ dockerfile: "docker/dev.Dockerfile", tags: ["gateway:local"] }),
      startedAt: ms - 86_400_000 * 2,
      durationMs: 7_300,
      outcome: "cancelled",
      imageId: null,
      tags: [],
      error: null,
    },
  ];
  b.settings.recentContexts = ["/home/me/projects/webapp", "/home/me/projects/api-gateway"];
  b.settings.runPresets = [
    { name: "nginx on 8080", line: "docker run -d --name web -p 8080:80 nginx:1.27" },
    {
      name: "postgres dev",
      line: "docker run -d --name pg -e POSTGRES_PASSWORD=dev -p 5432:5432 postgres:16",
    },
  ];
  return b;
}

function type(el: HTMLInputElement | null, value: string) {
  if (!el) return;
  el.value = value;
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

function choose(el: HTMLSelectElement | null, value: string) {
  if (!el) return;
  el.value = value;
  el.dispatchEvent(new Event("change", { bubbles: true }));
}

/** Fills the login dialog from the URL; submits when a password is given. */
async function demoLogin(params: URLSearchParams) {
  const registry = params.get("registry");
  const user = params.get("user");
  const password = params.get("password");
  if (registry) type((await waitFor("[data-testid=login-registry]")) as HTMLInputElement, registry);
  if (user) type((await waitFor("[data-testid=login-username]")) as HTMLInputElement, user);
  if (password !== null) {
    type((await waitFor("[data-testid=login-password]")) as HTMLInputElement, password);
    await sleep(50);
    (await waitFor("[data-testid=login-submit]"))?.click();
  }
}

/** Drags from the desktop onto the page stand in for the app's native drop. */
function simulateDrops(b: MockBackend) {
  let depth = 0;
  window.addEventListener("dragenter", (e) => {
    e.preventDefault();
    if (depth++ === 0) b.emitDrop({ kind: "over" });
  });
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("dragleave", () => {
    if (--depth <= 0) {
      depth = 0;
      b.emitDrop({ kind: "leave" });
    }
  });
  window.addEventListener("drop", (e) => {
    e.preventDefault();
    depth = 0;
    const name = e.dataTransfer?.files[0]?.name;
    if (!name) return b.emitDrop({ kind: "leave" });
    const paths = [...(e.dataTransfer?.files ?? [])].map((f) => `/home/me/projects/${f.name}`);
    try {
      const opened = b.openPath(`/home/me/projects/${name}`);
      b.emitDrop({
        kind: "opened",
        context: opened.context,
        dockerfile: opened.dockerfile,
        paths,
      });
    } catch {
      b.emitDrop({
        kind: "refused",
        message: `${name} cannot be built: drop a folder or a Dockerfile.`,
        paths,
      });
    }
  });
}

/** The Run dialog, filled from a pasted line (with a risk); `step` goes on from there. */
async function demoRun(model: AppModel, step: string | null) {
  const lines: Record<string, string> = {
    exited: `docker run -d --name migrate busybox sh -c "echo connecting to db:5432; echo error: connection refused; exit 2"`,
    attached: "docker run --rm hello-world",
    missing: "docker run -d -p 6379:6379 missing:latest",
  };
  model.runImage("nginx:1.27");
  const run = model.run;
  if (!run) return;
  await run.paste(
    lines[step ?? ""] ??
      "docker run -d --name site -p 8080:80 -p 127.0.0.1:8443:443 -v /home/me/site:/usr/share/nginx/html:ro -v nginx-cache:/var/cache/nginx -e TZ=Europe/Paris -e NGINX_ENTRYPOINT_QUIET_LOGS=1 --restart unless-stopped --privileged nginx:1.27",
  );
  if (!step) return;
  await sleep(400);
  (await waitFor("[data-testid=run-submit]:not([disabled])"))?.click();
  if (step === "missing") (await waitFor("[data-testid=run-pull]"))?.click();
}

/** The containers page in a given state (see the switches at the top). */
async function containersDemo(params: URLSearchParams) {
  const demo = params.get("demo");
  const dialog = params.get("dialog");
  const confirm = params.get("confirm");
  await waitFor("[data-testid=container-row]");
  if (demo === "detail") {
    (await waitFor("[data-testid=container-row-web]"))?.click();
    const tab = params.get("tab");
    if (tab) (await waitFor(`[data-testid=tab-${tab}]`))?.click();
  } else if (demo === "bulk") {
    (await waitFor("[data-testid=container-select-web]"))?.click();
    (await waitFor("[data-testid=container-select-job]"))?.click();
    const action = params.get("action");
    if (action) {
      (await waitFor(`[data-testid=bulk-${action}]`))?.click();
      await sleep(300);
      if (confirm)
        (
          await waitFor(
            action === "remove"
              ? "[data-testid=container-remove-confirm]"
              : "[data-testid=action-confirm]",
          )
        )?.click();
    }
  }
  if (dialog === "prune") {
    (await waitFor("[data-testid=prune-containers]"))?.click();
    if (confirm) (await waitFor("[data-testid=container-prune-confirm]"))?.click();
  } else if (dialog === "rename" || dialog === "commit") {
    (await waitFor("[data-testid=container-action-menu-web]"))?.click();
    (await waitFor(`[data-testid=container-action-${dialog}-web]`))?.click();
    if (dialog === "rename") {
      const name = params.get("name");
      if (name) type((await waitFor("[data-testid=rename-input]")) as HTMLInputElement, name);
    }
    if (confirm) {
      await sleep(100);
      (await waitFor(`[data-testid=${dialog}-confirm]`))?.click();
    }
  }
}

export async function startDemo(model: AppModel, b: MockBackend, params: URLSearchParams) {
  simulateDrops(b);
  const page = params.get("page") as PageId | null;
  if (page) model.page = page;
  if (params.get("drop")) model.dragging = true;

  if (page === "containers" && params.get("demo") === "logs") {
    const { showLogsDemo } = await import("../features/containers/logs/demo");
    await showLogsDemo(b, params);
  }

  if (page === "containers") await containersDemo(params);

  if (page === "registries") {
    if (params.get("empty")) b.registries = [];
    const dialog = params.get("dialog");
    if (dialog === "login") {
      (await waitFor("[data-testid=login-open]"))?.click();
      await demoLogin(params);
    } else if (dialog === "logout") {
      const registry = params.get("registry") ?? "docker.io";
      (
        await waitFor(
          `[data-testid=registry-row][data-registry="${registry}"] [data-testid=registry-logout]`,
        )
      )?.click();
    }
  }

  if (page === "images") {
    const ref = params.get("image");
    if (ref) {
      await sleep(150);
      const img = b.findImage(ref);
      if (img) model.imageFocus = img.id;
      const tab = params.get("tab");
      if (tab) (await waitFor(`#image-tab-${tab}`))?.click();
    }
    const dialog = params.get("dialog");
    if (dialog === "pull") {
      (await waitFor("[data-testid=image-pull-open]"))?.click();
      type(
        (await waitFor("[data-testid=pull-reference]")) as HTMLInputElement,
        params.get("ref") ?? "redis:7.4",
      );
      await sleep(50);
      (await waitFor("[data-testid=pull-start]"))?.click();
    } else if (dialog === "search") {
      (await waitFor("[data-testid=search-open]"))?.click();
      type(
        (await waitFor("[data-testid=search-term]")) as HTMLInputElement,
        params.get("term") ?? "nginx",
      );
      await sleep(50);
      (await waitFor("[data-testid=search-start]"))?.click();
    } else if (dialog === "push") {
      (await waitFor("[data-testid=image-push-open]"))?.click();
      const tag = params.get("tag");
      if (tag) choose((await waitFor("[data-testid=push-tag]")) as HTMLSelectElement, tag);
      if (params.get("tagfirst")) {
        (await waitFor("[data-testid=push-tag-first]"))?.click();
        await sleep(50);
        (await waitFor("[data-testid=tag-confirm]"))?.click();
      }
      if (params.get("start")) {
        await sleep(50);
        (await waitFor("[data-testid=push-start]"))?.click();
        if (params.get("cancel")) {
          await sleep(b.delay * 6);
          (await waitFor("[data-testid=push-cancel]"))?.click();
        }
        if (params.get("login")) {
          (await waitFor("[data-testid=push-login]", 200))?.click();
          await demoLogin(params);
        }
      }
    } else if (dialog === "prune") {
      (await waitFor("[data-testid=prune-open]"))?.click();
    } else if (dialog === "remove" || dialog === "tag") {
      (await waitFor(`[data-testid=image-${dialog}]`))?.click();
      if (dialog === "remove" && params.get("confirm")) {
        (await waitFor("[data-testid=image-remove-confirm]"))?.click();
      }
      const target = params.get("target");
      if (dialog === "tag" && target) {
        type((await waitFor("[data-testid=tag-target]")) as HTMLInputElement, target);
        await sleep(50);
        (await waitFor("[data-testid=tag-confirm]"))?.click();
      }
    }
  }

  const demo = params.get("demo");
  if (demo === "run") await demoRun(model, params.get("step"));
  if (page === "build" && demo && demo !== "empty") {
    const build = model.build;
    await build.openPath("/home/me/projects/webapp");
    await sleep(100);
    build.form.tags = ["webapp:dev", "registry.example.com/team/webapp:2.4.0"];
    build.form.labels = [
      { key: "org.opencontainers.image.source", value: "https://github.com/example/webapp" },
    ];
    if (demo === "form") return;
    if (demo === "badtag") {
      build.form.tags = ["WebApp:dev"];
      await sleep(b.delay * 8);
      void build.start();
      return;
    }
    // Let the info load so the ARG rows exist, then edit one.
    await sleep(b.delay * 8);
    const arg = build.form.args.find((a) => a.key === "APP_ENV");
    if (arg) {
      arg.value = "staging";
      arg.edited = true;
    }
    if (demo === "failed")
      build.form.args.push({
        key: "FAIL",
        value: "1",
        declared: false,
        default: null,
        scope: null,
        edited: true,
      });
    if (demo === "pull") build.form.pull = true;
    if (demo === "done" || demo === "failed") b.delay = 5;
    await build.start();
    if (params.get("show") && build.run.state === "succeeded")
      model.showImage(build.run.result.imageId);
  }
}
