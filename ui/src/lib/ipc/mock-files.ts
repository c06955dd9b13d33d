// Container files for the MockBackend: a small made-up filesystem per container (copied from one
// template the first time a container is looked at, so a copy in changes only that container),
// listings with the engine's rules (absolute normalised paths, links to folders followed, folders
// first, cut short past `listLimit`), copies out to a pretend host (a name already there is a
// Conflict unless overwriting) and copies in from pretend host files and folders. Errors carry
// the engine's codes and wording.

import type { ContainerSummary, IpcError } from "./backend";
import type { CopyReport, FileEntry, FileKind, Listing } from "../features/containers/files/types";
import { normalizePath } from "../features/containers/files/paths";

interface Node {
  kind: FileKind;
  /** Permission bits. */
  mode: number;
  /** Unix seconds. */
  modified: number;
  size: number;
  linkTarget: string | null;
  /** Folders only, by name. */
  children: Map<string, Node> | null;
}

/** 2024-11-28 09:30:00 UTC: when the made-up files were last changed. */
export const MOCK_FILES_TIME = 1_732_786_200;

function err(code: string, message: string, field: string | null = null): IpcError {
  return { code, message, field };
}

function dir(children: Record<string, Node> = {}, mode = 0o755): Node {
  return {
    kind: "dir",
    mode,
    modified: MOCK_FILES_TIME,
    size: 0,
    linkTarget: null,
    children: new Map(Object.entries(children)),
  };
}

function file(size: number, mode = 0o644, modified = MOCK_FILES_TIME): Node {
  return { kind: "file", mode, modified, size, linkTarget: null, children: null };
}

function link(target: string): Node {
  return {
    kind: "symlink",
    mode: 0o777,
    modified: MOCK_FILES_TIME,
    size: 0,
    linkTarget: target,
    children: null,
  };
}

function special(mode = 0o666): Node {
  return {
    kind: "other",
    mode,
    modified: MOCK_FILES_TIME,
    size: 0,
    linkTarget: null,
    children: null,
  };
}

/** An nginx-on-busybox kind of root filesystem. */
function template(): Node {
  const tools = ["sh", "ls", "cat", "echo", "pwd", "stty", "busybox"];
  return dir({
    bin: link("usr/bin"),
    dev: dir({ null: special(), tty: special(), zero: special() }),
    etc: dir({
      hostname: file(13),
      hosts: file(174),
      passwd: file(340),
      group: file(197),
      "os-release": link("../usr/lib/os-release"),
      nginx: dir({
        "nginx.conf": file(648),
        "mime.types": file(5_349),
        "conf.d": dir({ "default.conf": file(1_093) }),
      }),
    }),
    home: dir(),
    proc: dir({}, 0o555),
    root: dir({ ".profile": file(161), ".ash_history": file(0, 0o600) }, 0o700),
    tmp: dir({}, 0o1777),
    usr: dir({
      bin: dir(Object.fromEntries(tools.map((t) => [t, file(1_056_736, 0o755)]))),
      lib: dir({ "os-release": file(393) }),
      share: dir({
        nginx: dir({
          html: dir({ "index.html": file(615), "50x.html": file(497) }),
        }),
      }),
    }),
    var: dir({
      log: dir({
        nginx: dir({ "access.log": link("/dev/stdout"), "error.log": link("/dev/stderr") }),
      }),
      run: dir(),
    }),
  });
}

function clone(n: Node): Node {
  return {
    ...n,
    children: n.children ? new Map([...n.children].map(([k, v]) => [k, clone(v)])) : null,
  };
}

/** The engine's container path rule: absolute, `.`, `..` and repeated slashes resolved. */
export function containerPath(path: string, field = "path"): string {
  if (!path) throw err("InvalidInput", "Choose a path in the container.", field);
  if (!path.startsWith("/"))
    throw err(
      "InvalidInput",
      `“${path}” must start with / (paths in a container are absolute).`,
      field,
    );
  return normalizePath(path);
}

function joinPath(dir: string, name: string): string {
  return dir === "/" ? `/${name}` : `${dir}/${name}`;
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? "";
}

/** A made-up size for a pretend host file. */
function hostSize(path: string): number {
  let h = 0;
  for (let i = 0; i < path.length; i++) h = (h * 31 + path.charCodeAt(i)) >>> 0;
  return 200 + (h % 60_000);
}

export class MockFiles {
  /** Host paths that exist: a copy out there is a Conflict unless overwriting. */
  hostPaths = new Set<string>();
  /** Pretend host folders (for copy in): path → the files inside, relative. Any other path is a file. */
  hostFolders: Record<string, { path: string; size: number }[]> = {
    "/home/me/projects/webapp/data": [
      { path: "seed.sql", size: 20_480 },
      { path: "fixtures/users.json", size: 3_120 },
      { path: "fixtures/orders.json", size: 18_377 },
    ],
  };
  /** A listing stops after this many entries (and says it was cut short). */
  listLimit = 20_000;
  private trees = new Map<string, Node>();

  /** A container's root folder (made from the template on first use). */
  root(containerId: string): Node {
    let t = this.trees.get(containerId);
    if (!t) {
      t = clone(template());
      this.trees.set(containerId, t);
    }
    return t;
  }

  /** Test hook: puts an entry at `path` (creating its parents). */
  add(
    containerId: string,
    path: string,
    kind: FileKind,
    over: { size?: number; mode?: number; modified?: number; linkTarget?: string } = {},
  ): void {
    const parts = containerPath(path).split("/").filter(Boolean);
    const name = parts.pop();
    if (!name) throw err("InvalidInput", "Not the root.");
    let at = this.root(containerId);
    for (const p of parts) {
      let next = at.children!.get(p);
      if (!next) {
        next = dir();
        at.children!.set(p, next);
      }
      at = next;
    }
    const node =
      kind === "dir"
        ? dir({}, over.mode)
        : kind === "symlink"
          ? link(over.linkTarget ?? "/")
          : kind === "other"
            ? special(over.mode)
            : file(over.size ?? 0, over.mode, over.modified);
    if (over.modified !== undefined) node.modified = over.modified;
    at.children!.set(name, node);
  }

  /** The node at `path`; `follow` resolves links on the way (the last one too when true). */
  private lookup(containerId: string, path: string, follow: boolean, depth = 0): Node | null {
    if (depth > 16) return null;
    const parts = path.split("/").filter(Boolean);
    let at = this.root(containerId);
    let here = "/";
    for (let i = 0; i < parts.length; i++) {
      const next = at.children?.get(parts[i]!);
      if (!next) return null;
      const last = i === parts.length - 1;
      if (next.kind === "symlink" && (!last || follow)) {
        const target = next.linkTarget!.startsWith("/")
          ? next.linkTarget!
          : joinPath(here, next.linkTarget!);
        const rest = parts.slice(i + 1).join("/");
        return this.lookup(
          containerId,
          containerPath(rest ? `${target}/${rest}` : target),
          follow,
          depth + 1,
        );
      }
      at = next;
      here = joinPath(here, parts[i]!);
    }
    return at;
  }

  list(c: ContainerSummary, rawPath: string): Listing {
    const path = containerPath(rawPath);
    const lnode = this.lookup(c.id, path, false);
    if (!lnode) throw err("NotFound", `There is no ${path} in container ${c.name}.`);
    let node = lnode;
    if (lnode.kind === "symlink") {
      const resolved = this.lookup(c.id, path, true);
      if (!resolved)
        throw err(
          "NotFound",
          `${path} is a link to ${lnode.linkTarget}, which does not exist in container ${c.name}.`,
        );
      if (resolved.kind !== "dir")
        throw err(
          "InvalidInput",
          `${path} is a link to ${lnode.linkTarget}, which is not a folder.`,
          "path",
        );
      node = resolved;
    } else if (lnode.kind !== "dir") {
      throw err("InvalidInput", `${path} is a file in container ${c.name}, not a folder.`, "path");
    }
    const all: FileEntry[] = [...node.children!].map(([name, n]) => ({
      name,
      path: joinPath(path, name),
      kind: n.kind,
      size: n.kind === "file" ? n.size : 0,
      mode: n.mode,
      modified: n.modified,
      linkTarget: n.linkTarget,
    }));
    // The engine's order: folders first, then by name (byte order).
    all.sort((a, b) =>
      (a.kind === "dir") !== (b.kind === "dir")
        ? a.kind === "dir"
          ? -1
          : 1
        : a.name < b.name
          ? -1
          : a.name > b.name
            ? 1
            : 0,
    );
    const truncated = all.length > this.listLimit;
    return { path, entries: truncated ? all.slice(0, this.listLimit) : all, truncated };
  }

  copyOut(
    c: ContainerSummary,
    rawPath: string,
    destination: string,
    overwrite: boolean,
  ): CopyReport {
    const path = containerPath(rawPath);
    const name = baseName(path);
    if (!name)
      throw err(
        "InvalidInput",
        "Choose a file or folder inside the container, not the whole filesystem.",
        "path",
      );
    if (!destination.trim())
      throw err("InvalidInput", "Choose a folder to copy into.", "destination");
    const node = this.lookup(c.id, path, false);
    if (!node) throw err("NotFound", `There is no ${path} in container ${c.name}.`);
    const dest = destination.length > 1 ? destination.replace(/\/+$/, "") : destination;
    const target = dest === "/" ? `/${name}` : `${dest}/${name}`;
    if (this.hostPaths.has(target) && !overwrite)
      throw err(
        "Conflict",
        `${target} already exists. Choose another folder, or allow overwriting.`,
      );
    const report: CopyReport = { files: 0, dirs: 0, links: 0, bytes: 0, skipped: [], target };
    const walk = (n: Node, rel: string) => {
      this.hostPaths.add(`${dest === "/" ? "" : dest}/${rel}`);
      if (n.kind === "dir") {
        report.dirs++;
        for (const [k, child] of n.children!) walk(child, `${rel}/${k}`);
      } else if (n.kind === "file") {
        report.files++;
        report.bytes += n.size;
      } else if (n.kind === "symlink") report.links++;
      else report.skipped.push(`${rel}: a device, pipe or socket (not copied)`);
    };
    walk(node, name);
    return report;
  }

  copyIn(c: ContainerSummary, hostPath: string, containerDir: string): CopyReport {
    const dirPath = containerPath(containerDir, "containerDir");
    const name = baseName(hostPath);
    if (!name) throw err("InvalidInput", "Choose a file or folder to copy in.", "hostPath");
    const at = this.lookup(c.id, dirPath, true);
    if (!at) throw err("NotFound", `There is no ${dirPath} in container ${c.name}.`);
    if (at.kind !== "dir")
      throw err(
        "InvalidInput",
        `${dirPath} is a file in container ${c.name}, not a folder.`,
        "containerDir",
      );
    const now = Math.floor(Date.now() / 1000);
    const target = joinPath(dirPath, name);
    const report: CopyReport = { files: 0, dirs: 0, links: 0, bytes: 0, skipped: [], target };
    const inside = this.hostFolders[hostPath];
    if (!inside) {
      const size = hostSize(hostPath);
      at.children!.set(name, file(size, 0o644, now));
      report.files = 1;
      report.bytes = size;
      return report;
    }
    const top = dir();
    top.modified = now;
    at.children!.set(name, top);
    report.dirs = 1;
    for (const f of inside) {
      const parts = f.path.split("/");
      const leaf = parts.pop()!;
      let d = top;
      for (const p of parts) {
        let next = d.children!.get(p);
        if (!next) {
          next = dir();
          next.modified = now;
          d.children!.set(p, next);
          report.dirs++;
        }
        d = next;
      }
      d.children!.set(leaf, file(f.size, 0o644, now));
      report.files++;
      report.bytes += f.size;
    }
    return report;
  }
}
