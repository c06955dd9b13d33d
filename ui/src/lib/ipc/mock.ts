// An in-memory Backend for tests and for running the UI in a plain browser (`npm run dev`
// outside Tauri). It behaves like the app: lists, status and change events, images (inspect,
// history, remove, prune, tag, search, pull with layer progress), build contexts and builds that
// stream coloured output, registries (login checked by a pretend registry, logout, push with
// layer progress), containers (actions, rename, prune, inspect, live stats, commit), cancellable
// operations and the `docker …` command lines.

import type {
  Backend,
  BuildEvent,
  BuildOptions,
  BuildRecord,
  BuildRequest,
  BuildResult,
  Change,
  ContainerSummary,
  ContextRef,
  ContextSummary,
  CredentialSource,
  DockerCommand,
  DockerfileInfo,
  DropEvent,
  EngineStatus,
  HistoryEntry,
  ImageDetails,
  ImageSummary,
  IpcError,
  LayerProgress,
  LoggedIn,
  OpenedContext,
  OpenRequest,
  PruneReport,
  PullResult,
  PushResult,
  RemoveReport,
  ScanProgress,
  SearchHit,
  TransferProgress,
} from "./backend";
import type { EngineInfo, LogBatch, Settings } from "./bindings";
import type {
  ActionReport,
  ContainerAction,
  ContainerDetails,
  ContainerPruneReport,
  MountInfo,
  StatsSample,
} from "../features/containers/types";
import { isHub, normalizeRegistry, registryOf } from "../registry";
import type { LogOptions, LogsEnd } from "../features/containers/logs/types";
import { encodeBatch } from "../features/containers/logs/batch";
import { MockLogs } from "./mock-logs";
import type { RunCheck, RunOutcome, RunOutput, RunSpec } from "../features/run/types";
import {
  checkRunSpec,
  generatedName,
  hostPort,
  parseRunLine,
  runLine,
  runScript,
} from "./mock-run";
import { MockFiles } from "./mock-files";
import { MockTerminals } from "./mock-terminal";
import type { TerminalEnd, TerminalTarget } from "../features/containers/terminal/types";
import type { CopyReport, Listing } from "../features/containers/files/types";

export const sampleInfo: EngineInfo = {
  host: "unix:///var/run/docker.sock",
  source: { kind: "default" },
  serverVersion: "27.0.0",
  apiVersion: "1.46",
  os: "linux",
  arch: "amd64",
  kernelVersion: "6.1.0",
  platform: "Docker Engine - Community",
};

type Method = Exclude<keyof Backend, "onEngineStatus" | "onEngineChanged" | "onDrop" | "onOpen">;

const ESC = "\x1b";

function err(code: string, message: string, field: string | null = null): IpcError {
  return { code, message, field };
}

function hex(seed: string, len = 64): string {
  let h = 2166136261;
  let out = "";
  while (out.length < len) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
    h = Math.imul(h ^ out.length, 16777619);
    out += (h >>> 0).toString(16).padStart(8, "0");
  }
  return out.slice(0, len);
}

/** Docker's reference rules, roughly: lowercase path components, an optional `:tag`. */
export function checkTag(t: string): string | null {
  const s = t.trim();
  if (!s) return "A tag cannot be empty.";
  if (/\s/.test(s)) return `“${s}” is not a valid tag: it contains a space.`;
  if (s.endsWith(":")) return `“${s}” is not a valid tag: nothing after the “:” (the tag).`;
  if (s.includes("@")) return `“${s}” is not a valid tag: a digest cannot be set on a build.`;
  const slash = s.lastIndexOf("/");
  const colon = s.lastIndexOf(":");
  const repo = colon > slash ? s.slice(0, colon) : s;
  const tag = colon > slash ? s.slice(colon + 1) : "latest";
  if (/[A-Z]/.test(repo))
    return `“${s}” is not a valid tag: repository names must be lowercase (no uppercase letters).`;
  if (
    !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(
      repo,
    )
  )
    return `“${s}” is not a valid tag: the repository name has invalid characters.`;
  if (!/^[\w][\w.-]{0,127}$/.test(tag))
    return `“${s}” is not a valid tag: the tag has invalid characters.`;
  return null;
}

function familiar(ref: string): string {
  const r = ref.trim();
  const slash = r.lastIndexOf("/");
  const colon = r.lastIndexOf(":");
  return colon > slash || r.includes("@") ? r : `${r}:latest`;
}

/** Quotes one word for `sh`, like the app's cmdline module. */
export function shellQuote(w: string): string {
  return w !== "" && /^[A-Za-z0-9\-_./:=@,+%^]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

const line = (words: string[]) => words.map(shellQuote).join(" ");

/** `docker stop --time 5 web db` and the like, as the app's cmdline module prints them. */
function actionWords(names: string[], a: ContainerAction): string[] {
  switch (a.kind) {
    case "start":
    case "pause":
    case "unpause":
      return ["docker", a.kind, ...names];
    case "stop":
    case "restart":
      return [
        "docker",
        a.kind,
        ...(a.timeout != null ? ["--time", String(a.timeout)] : []),
        ...names,
      ];
    case "kill": {
      const sig = a.signal?.trim();
      return ["docker", "kill", ...(sig ? ["--signal", sig] : []), ...names];
    }
    case "remove":
      return [
        "docker",
        "rm",
        ...(a.force ? ["--force"] : []),
        ...(a.volumes ? ["--volumes"] : []),
        ...names,
      ];
  }
}

/** The 12 characters of an id, as daemon messages print it. */
function shortHex(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/** A container's made-up writable-layer size (what a prune reclaims). */
export function mockContainerSize(id: string): number {
  return 1_000_000 + (parseInt(hex(id, 5), 16) % 40) * 250_000;
}

/** Env variable names whose values a preset does not keep (as the app's settings). */
export function isSecretName(key: string): boolean {
  const k = key.toUpperCase();
  const words = k.split(/[_.-]/).filter(Boolean);
  const secret = ["PASSWORD", "PASSWD", "PASS", "PASSPHRASE", "PWD", "SECRET", "SECRETS"];
  secret.push("TOKEN", "APIKEY", "KEY", "CREDENTIAL", "CREDENTIALS", "AUTH", "PRIVATE");
  const place = ["FILE", "PATH", "DIR", "URL", "URI", "HOST", "PORT"];
  return (
    k !== "PWD" &&
    !place.includes(words[words.length - 1] ?? "") &&
    !words.includes("PUBLIC") &&
    words.some((w) => secret.includes(w))
  );
}

export function mockCommandLine(c: DockerCommand, root: string): string {
  switch (c.op) {
    case "build": {
      const o = c.options;
      const w = ["docker", "build"];
      const df = o.dockerfile.trim();
      if (df && df !== "Dockerfile") w.push("-f", df.startsWith("/") ? df : `${root}/${df}`);
      for (const t of o.tags.map((t) => t.trim()).filter(Boolean)) w.push("-t", t);
      for (const kv of o.buildArgs.filter((kv) => kv.key.trim()))
        w.push("--build-arg", `${kv.key.trim()}=${kv.value}`);
      if (o.target?.trim()) w.push("--target", o.target.trim());
      if (o.noCache) w.push("--no-cache");
      if (o.pull) w.push("--pull");
      for (const kv of o.labels.filter((kv) => kv.key.trim()))
        w.push("--label", `${kv.key.trim()}=${kv.value}`);
      w.push(root);
      return line(w);
    }
    case "pull":
      return line(["docker", "pull", c.reference.trim()]);
    case "removeImage":
      return line(["docker", "image", "rm", ...(c.force ? ["--force"] : []), c.reference.trim()]);
    case "pruneImages":
      return line(["docker", "image", "prune", "--force", ...(c.all ? ["--all"] : [])]);
    case "search":
      return line(["docker", "search", c.term.trim()]);
    case "history":
      return line(["docker", "image", "history", "--no-trunc", c.reference.trim()]);
    case "inspectImage":
      return line(["docker", "image", "inspect", c.reference.trim()]);
    case "tag":
      return line(["docker", "tag", c.source.trim(), c.target.trim()]);
    case "listImages":
      return line(["docker", "image", "ls", c.all ? "--all" : "--filter=dangling=false"]);
    case "push":
      return line(["docker", "push", c.reference.trim()]);
    case "login": {
      const user = c.username.trim();
      return line(["docker", "login", ...(user ? ["-u", user] : []), c.registry.trim()]);
    }
    case "logout":
      return line(["docker", "logout", c.registry.trim()]);
    case "cp":
      return line(["docker", "cp", c.from, c.to]);
    case "containerAction":
      return line(
        actionWords(
          c.names.map((n) => n.trim()),
          c.action,
        ),
      );
    case "renameContainer":
      return line(["docker", "rename", c.name, c.newName.trim()]);
    case "pruneContainers":
      return line(["docker", "container", "prune", "--force"]);
    case "commit": {
      const author = c.author?.trim();
      const message = c.message?.trim();
      return line([
        "docker",
        "commit",
        ...(author ? ["--author", author] : []),
        ...(message ? ["--message", message] : []),
        c.container,
        c.reference.trim(),
      ]);
    }
    case "logs":
      return line([
        "docker",
        "logs",
        ...(c.tail != null ? ["--tail", String(c.tail)] : []),
        ...(c.timestamps ? ["--timestamps"] : []),
        "--follow",
        c.container,
      ]);
    case "exec":
      return line(["docker", "exec", "-it", c.container, ...c.command]);
    case "inspectContainer":
      return line(["docker", "container", "inspect", c.name]);
  }
}

export const SEARCH_CATALOGUE: SearchHit[] = [
  {
    name: "nginx",
    description: "Official build of Nginx.",
    stars: 20512,
    official: true,
    automated: false,
  },
  {
    name: "nginxinc/nginx-unprivileged",
    description: "Unprivileged NGINX Dockerfiles",
    stars: 154,
    official: false,
    automated: false,
  },
  {
    name: "bitnami/nginx",
    description: "Bitnami container image for NGINX",
    stars: 196,
    official: false,
    automated: true,
  },
  {
    name: "nginx/nginx-ingress",
    description: "NGINX and NGINX Plus Ingress Controllers for Kubernetes",
    stars: 98,
    official: false,
    automated: false,
  },
  {
    name: "postgres",
    description:
      "The PostgreSQL object-relational database system provides reliability and data integrity.",
    stars: 14023,
    official: true,
    automated: false,
  },
  {
    name: "redis",
    description:
      "Redis is the world’s fastest data platform for caching, vector search, and NoSQL databases.",
    stars: 13110,
    official: true,
    automated: false,
  },
  {
    name: "node",
    description:
      "Node.js is a JavaScript-based platform for server-side and networking applications.",
    stars: 13900,
    official: true,
    automated: false,
  },
  {
    name: "busybox",
    description: "Busybox base image.",
    stars: 3301,
    official: true,
    automated: false,
  },
  {
    name: "alpine",
    description:
      "A minimal Docker image based on Alpine Linux with a complete package index and only 5 MB in size!",
    stars: 11200,
    official: true,
    automated: false,
  },
  {
    name: "python",
    description:
      "Python is an interpreted, interactive, object-oriented, open-source programming language.",
    stars: 9800,
    official: true,
    automated: false,
  },
];

/** Registries the mock starts logged in to. */
export const SAMPLE_REGISTRIES: LoggedIn[] = [
  { registry: "docker.io", username: "alice", source: { kind: "helper", name: "secretservice" } },
  { registry: "localhost:5000", username: "ci", source: { kind: "configFile" } },
];

/** Passwords the pretend registries refuse. */
export const WRONG_PASSWORD = "wrong";
/** A registry host the pretend engine cannot reach. */
export const DOWN_REGISTRY = "down.example";

interface MockContext {
  ref: ContextRef;
}

/** As the app's `Settings::rebased`: what `next` changed from `base`, over `current`. */
export function rebaseSettings(current: Settings, base: Settings, next: Settings): Settings {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const pick = <T>(c: T, b: T, n: T): T => structuredClone(same(n, b) ? c : n);
  const list = <T>(c: T[], b: T[], n: T[]): T[] => {
    const has = (l: T[], x: T) => l.some((y) => same(x, y));
    const out = c.filter((x) => !has(b, x) || has(n, x));
    for (const x of n) if (!has(b, x) && !has(out, x)) out.push(x);
    return structuredClone(out);
  };
  const n = next.notifications;
  const b = base.notifications;
  const c = current.notifications;
  return {
    ...next,
    engineHost: pick(current.engineHost, base.engineHost, next.engineHost),
    theme: pick(current.theme, base.theme, next.theme),
    logTailLines: pick(current.logTailLines, base.logTailLines, next.logTailLines),
    logBufferMb: pick(current.logBufferMb, base.logBufferMb, next.logBufferMb),
    closeToTray: pick(current.closeToTray, base.closeToTray, next.closeToTray),
    notifications: {
      buildFinished: pick(c.buildFinished, b.buildFinished, n.buildFinished),
      pushFinished: pick(c.pushFinished, b.pushFinished, n.pushFinished),
      containerDied: pick(c.containerDied, b.containerDied, n.containerDied),
      containerUnhealthy: pick(c.containerUnhealthy, b.containerUnhealthy, n.containerUnhealthy),
    },
    recentContexts: list(current.recentContexts, base.recentContexts, next.recentContexts),
    runPresets: list(current.runPresets, base.runPresets, next.runPresets),
  };
}

export class MockBackend implements Backend {
  settings: Settings = defaultSettings();
  async settingsGet() {
    return structuredClone(this.settings);
  }
  async settingsSet(next: Settings, base?: Settings) {
    this.enter("settingsSet", structuredClone(next));
    if (base) next = rebaseSettings(this.settings, base, next);
    const host = next.engineHost?.trim() ?? "";
    if (host && !/^(unix|tcp|npipe|fd):\/\//.test(host)) {
      throw {
        code: "InvalidInput",
        message: `engineHost: “${host}” is not an engine address (unix://, tcp://, npipe://)`,
        field: "engineHost",
      };
    }
    if (next.logTailLines < 10 || next.logTailLines > 1_000_000) {
      throw {
        code: "InvalidInput",
        message: "logTailLines: Between 10 and 1,000,000 lines.",
        field: "logTailLines",
      };
    }
    const presets = next.runPresets.map((p) => ({ name: p.name.trim(), line: p.line.trim() }));
    if (presets.length > MAX_RUN_PRESETS)
      throw err(
        "InvalidInput",
        `runPresets: At most ${MAX_RUN_PRESETS} run presets can be saved.`,
        "runPresets",
      );
    const names = new Set<string>();
    for (const p of presets) {
      if (!p.name || [...p.name].length > 60)
        throw err(
          "InvalidInput",
          "runPresets: A preset needs a name of 1 to 60 characters.",
          "runPresets",
        );
      if (names.has(p.name.toLowerCase()))
        throw err(
          "InvalidInput",
          `runPresets: There is already a preset named “${p.name}”.`,
          "runPresets",
        );
      names.add(p.name.toLowerCase());
      try {
        const spec = parseRunLine(p.line);
        // As the app: the values of env variables named like secrets are not kept.
        if (spec.env.some((kv) => isSecretName(kv.key) && kv.value)) {
          for (const kv of spec.env) if (isSecretName(kv.key)) kv.value = "";
          p.line = runLine(spec);
        }
      } catch (e) {
        throw err(
          "InvalidInput",
          `runPresets: The preset “${p.name}” is not a valid docker run line: ${(e as IpcError).message}`,
          "runPresets",
        );
      }
    }
    const recent = [...new Set(next.recentContexts.filter((p) => p.trim()))].slice(
      0,
      MAX_RECENT_CONTEXTS,
    );
    this.settings = {
      ...structuredClone(next),
      engineHost: host || null,
      version: 3,
      recentContexts: recent,
      runPresets: presets,
    };
    return structuredClone(this.settings);
  }
  status: EngineStatus;
  containers: ContainerSummary[] = [];
  images: ImageSummary[] = [];
  history: BuildRecord[] = [];
  /** Milliseconds per step of a streamed operation (0 in tests). */
  delay = 0;
  /** How many times each list was fetched. */
  calls = { containerList: 0, imageList: 0, engineReconnect: 0 };
  /** Every call, by method name (what tests assert on). */
  log: { method: string; args: unknown[] }[] = [];
  failWith: { code: string; message: string } | null = null;
  /** Makes a method throw this error (until cleared). */
  failOn: Partial<Record<Method, IpcError>> = {};
  /** What `contextPick` returns: a path to open, or null for a closed picker. */
  pickPath: string | null = "/home/me/projects/webapp";
  /** Build output lines (with ANSI codes), or null for the built-in script. */
  buildScript: string[] | null = null;
  /** Dockerfiles per folder path; a folder not listed has `Dockerfile` and `docker/dev.Dockerfile`. */
  folders: Record<string, string[]> = {};
  /** What `registryList` returns (a login adds to it, a logout removes). */
  registries: LoggedIn[] = structuredClone(SAMPLE_REGISTRIES);
  /** Where a login stores the credentials. */
  credentialStore: CredentialSource = { kind: "helper", name: "secretservice" };

  private statusListeners = new Set<(s: EngineStatus) => void>();
  private changeListeners = new Set<(c: Change) => void>();
  private dropListeners = new Set<(e: DropEvent) => void>();
  private openListeners = new Set<(r: OpenRequest) => void>();
  private contexts = new Map<string, MockContext>();
  private ops = new Map<string, { cancelled: boolean }>();

  constructor(status?: EngineStatus) {
    this.status = status ?? { state: "connected", info: sampleInfo };
  }

  private enter(method: Method, ...args: unknown[]): void {
    this.log.push({ method, args });
    const e = this.failOn[method];
    if (e) throw { ...e };
  }

  private wait(steps = 1): Promise<void> {
    return new Promise((r) => setTimeout(r, this.delay * steps));
  }

  private begin(op: string): { cancelled: boolean } {
    if (this.ops.has(op)) throw err("Conflict", `An operation named ${op} is already running.`);
    const o = { cancelled: false };
    this.ops.set(op, o);
    return o;
  }

  /** Runs `fn` as the cancellable operation `op` (`opCancel(op)` sets its `cancelled`). */
  private async withOp<T>(op: string, fn: (o: { cancelled: boolean }) => Promise<T>): Promise<T> {
    const o = this.begin(op);
    try {
      return await fn(o);
    } finally {
      this.ops.delete(op);
    }
  }

  private check(o: { cancelled: boolean }): void {
    if (o.cancelled) throw err("Cancelled", "Cancelled");
  }

  private needConnected(): void {
    if (this.status.state !== "connected")
      throw err("DaemonUnreachable", "Cannot connect to the Docker daemon.");
  }

  async engineStatus() {
    return this.status;
  }
  async engineReconnect() {
    this.calls.engineReconnect++;
  }
  async containerList(all: boolean) {
    this.calls.containerList++;
    if (this.failWith) throw { ...this.failWith, field: null };
    return this.containers.filter((c) => all || c.state === "running").map((c) => ({ ...c }));
  }
  async imageList() {
    this.calls.imageList++;
    if (this.failWith) throw { ...this.failWith, field: null };
    return this.images.map((i) => ({ ...i }));
  }
  async onEngineStatus(cb: (s: EngineStatus) => void) {
    this.statusListeners.add(cb);
    return () => this.statusListeners.delete(cb);
  }
  async onEngineChanged(cb: (c: Change) => void) {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }
  async onDrop(cb: (e: DropEvent) => void) {
    this.dropListeners.add(cb);
    return () => this.dropListeners.delete(cb);
  }

  setStatus(s: EngineStatus) {
    this.status = s;
    for (const cb of this.statusListeners) cb(s);
  }
  emitChange(c: Partial<Change> & Pick<Change, "scope" | "action" | "id">) {
    const full: Change = {
      name: null,
      exitCode: null,
      signal: null,
      timeNano: Date.now() * 1e6,
      ...c,
    };
    for (const cb of this.changeListeners) cb(full);
  }
  emitDrop(e: DropEvent) {
    for (const cb of this.dropListeners) cb(e);
  }
  async onOpen(cb: (r: OpenRequest) => void) {
    this.openListeners.add(cb);
    return () => this.openListeners.delete(cb);
  }
  /** The tray asks for a page (as the app does once it has shown the window). */
  emitOpen(r: OpenRequest) {
    for (const cb of this.openListeners) cb(r);
  }

  /** The addresses `portOpen` opened, in order (what tests assert on). */
  openedUrls: string[] = [];

  async portOpen(url: string): Promise<void> {
    this.enter("portOpen", url);
    if (!portUrlOk(url))
      throw err(
        "InvalidInput",
        "url: Only a published port's http://address:port/ can be opened.",
        "url",
      );
    this.openedUrls.push(url);
  }

  async appPainted(what: string): Promise<void> {
    this.enter("appPainted", what);
  }

  // --- containers --------------------------------------------------------------------------

  /** Milliseconds between two stats batches. */
  statsInterval = 1000;
  /** Stats fields over the made-up ones, per container and tick (what tests assert on). */
  statsSource: ((c: ContainerSummary, tick: number) => Partial<StatsSample>) | null = null;
  /** Inspect fields over the made-up ones, per container name. */
  inspectOver: Record<string, Partial<ContainerDetails>> = {};
  /** When each container's counters (network, block I/O) started: a start or restart resets. */
  private statsSince = new Map<string, number>();

  /** The container an id, id prefix (4+) or name names. */
  findContainer(ref: string): ContainerSummary | undefined {
    const r = ref.trim().replace(/^\//, "");
    return (
      this.containers.find((c) => c.id === r || c.name === r) ??
      (r.length >= 4 ? this.containers.find((c) => c.id.startsWith(r)) : undefined)
    );
  }

  private requireContainer(ref: string): ContainerSummary {
    const c = this.findContainer(ref);
    if (!c) throw err("NotFound", `No such container: ${ref}. It may have been removed already.`);
    return c;
  }

  private containerExited(c: ContainerSummary, code: number, action: string): void {
    c.state = "exited";
    c.status = `Exited (${code}) Less than a second ago`;
    this.statsSince.delete(c.id);
    this.emitChange({ scope: "container", action, id: c.id, name: c.name });
    this.emitChange({ scope: "container", action: "die", id: c.id, name: c.name, exitCode: code });
  }

  private containerStarted(c: ContainerSummary, action: string): void {
    c.state = "running";
    c.status = "Up Less than a second";
    this.statsSince.set(c.id, Date.now());
    this.emitChange({ scope: "container", action, id: c.id, name: c.name });
  }

  /** One action on one container, like the daemon: throws what it would refuse. */
  private applyAction(ref: string, a: ContainerAction): void {
    const c = this.requireContainer(ref);
    const up = c.state === "running" || c.state === "paused" || c.state === "restarting";
    switch (a.kind) {
      case "start":
        if (c.state === "paused")
          throw err("Conflict", `Cannot start ${c.name}: it is paused. Unpause it instead.`);
        if (!up) this.containerStarted(c, "start");
        return;
      case "stop":
        if (up) this.containerExited(c, 0, "stop");
        return;
      case "restart":
        this.containerStarted(c, "restart");
        return;
      case "kill": {
        if (!up)
          throw err(
            "Conflict",
            `Cannot kill container ${c.name}: container ${shortHex(c.id)} is not running.`,
          );
        const sig = (a.signal ?? "SIGKILL").toUpperCase().replace(/^SIG/, "");
        // The signals that end a process by default, with the exit code they leave.
        const fatal: Record<string, number> = {
          KILL: 137,
          "9": 137,
          TERM: 143,
          "15": 143,
          INT: 130,
        };
        const code = fatal[sig];
        if (code !== undefined) this.containerExited(c, code, "kill");
        else this.emitChange({ scope: "container", action: "kill", id: c.id, name: c.name });
        return;
      }
      case "pause":
        if (c.state !== "running")
          throw err("Conflict", `Container ${c.name} is not running: only a running one pauses.`);
        c.state = "paused";
        c.status = `${c.status} (Paused)`;
        this.emitChange({ scope: "container", action: "pause", id: c.id, name: c.name });
        return;
      case "unpause":
        if (c.state !== "paused") throw err("Conflict", `Container ${c.name} is not paused.`);
        c.state = "running";
        c.status = c.status.replace(/ \(Paused\)$/, "");
        this.emitChange({ scope: "container", action: "unpause", id: c.id, name: c.name });
        return;
      case "remove":
        if (up && !a.force)
          throw err(
            "Conflict",
            `You cannot remove a running container ${shortHex(c.id)}. Stop the container before attempting removal or force remove.`,
          );
        this.containers = this.containers.filter((x) => x !== c);
        this.statsSince.delete(c.id);
        this.emitChange({ scope: "container", action: "destroy", id: c.id, name: c.name });
        return;
    }
  }

  async containerAction(ids: string[], action: ContainerAction): Promise<ActionReport> {
    this.enter("containerAction", ids, action);
    this.needConnected();
    const report: ActionReport = { done: [], failed: [] };
    for (const id of ids) {
      await this.wait(2);
      try {
        this.applyAction(id, action);
        report.done.push(id);
      } catch (e) {
        const ipc = e as IpcError;
        report.failed.push({ id, code: ipc.code, message: ipc.message });
      }
    }
    return report;
  }

  async containerRename(id: string, name: string): Promise<void> {
    this.enter("containerRename", id, name);
    const n = name.trim().replace(/^\//, "");
    if (!n) throw err("InvalidInput", "name: A container needs a name.", "name");
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(n))
      throw err(
        "InvalidInput",
        `name: “${n}” is not a valid container name: two characters or more, from a–z, A–Z, 0–9, “_”, “.” and “-”, not starting with “_”, “.” or “-”.`,
        "name",
      );
    this.needConnected();
    const c = this.requireContainer(id);
    if (c.name === n)
      throw err("InvalidInput", `name: The container is already named ${n}.`, "name");
    const other = this.containers.find((o) => o !== c && o.name === n);
    if (other)
      throw err(
        "Conflict",
        `The name “${n}” is already in use by container ${shortHex(other.id)}. Remove or rename that container, or choose another name.`,
      );
    await this.wait();
    c.name = n;
    this.emitChange({ scope: "container", action: "rename", id: c.id, name: n });
  }

  async containerPrune(): Promise<ContainerPruneReport> {
    this.enter("containerPrune");
    this.needConnected();
    await this.wait(3);
    const gone = this.containers.filter((c) => ["exited", "created", "dead"].includes(c.state));
    this.containers = this.containers.filter((c) => !gone.includes(c));
    for (const c of gone)
      this.emitChange({ scope: "container", action: "destroy", id: c.id, name: c.name });
    return {
      removed: gone.map((c) => c.id),
      spaceReclaimed: gone.reduce((s, c) => s + mockContainerSize(c.id), 0),
    };
  }

  async containerInspect(id: string): Promise<ContainerDetails> {
    this.enter("containerInspect", id);
    this.needConnected();
    const c = this.requireContainer(id);
    const img = c.image.split(":")[0] ?? "";
    const isPg = img.includes("postgres");
    const isNginx = img.includes("nginx");
    const up = c.state === "running" || c.state === "paused" || c.state === "restarting";
    const exit = /^Exited \((-?\d+)\)/.exec(c.status);
    const created = new Date(c.created * 1000).toISOString();
    const since = this.statsSince.get(c.id) ?? (c.created + 5) * 1000;
    const env = [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      ...(isPg
        ? [
            "POSTGRES_USER=app",
            "POSTGRES_PASSWORD=example-password",
            "PGDATA=/var/lib/postgresql/data",
          ]
        : isNginx
          ? ["NGINX_VERSION=1.27.0", "NJS_VERSION=0.8.4"]
          : ["NODE_ENV=production", "API_TOKEN=demo-token-not-a-secret"]),
    ];
    const labels = c.composeProject
      ? [
          { key: "com.docker.compose.project", value: c.composeProject },
          { key: "com.docker.compose.service", value: c.name },
        ]
      : isNginx
        ? [{ key: "maintainer", value: "NGINX Docker Maintainers <docker-maint@nginx.com>" }]
        : [];
    const mounts: MountInfo[] = isPg
      ? [
          {
            kind: "volume",
            source: `/var/lib/docker/volumes/${c.name}-data/_data`,
            target: "/var/lib/postgresql/data",
            readOnly: false,
            name: `${c.name}-data`,
          },
        ]
      : isNginx
        ? [
            {
              kind: "bind",
              source: "/home/me/projects/site/public",
              target: "/usr/share/nginx/html",
              readOnly: true,
              name: null,
            },
          ]
        : [];
    const d: ContainerDetails = {
      id: c.id,
      name: c.name,
      image: c.image,
      imageId: c.imageId,
      state: c.state,
      running: up,
      paused: c.state === "paused",
      exitCode: exit ? Number(exit[1]) : up ? 0 : null,
      error: null,
      startedAt: c.state === "created" ? null : new Date(since).toISOString(),
      finishedAt: up || c.state === "created" ? null : new Date(since + 3_600_000).toISOString(),
      createdAt: created,
      command: isNginx
        ? ["nginx", "-g", "daemon off;"]
        : isPg
          ? ["postgres"]
          : c.command.split(" "),
      entrypoint: isNginx ? ["/docker-entrypoint.sh"] : isPg ? ["docker-entrypoint.sh"] : [],
      workdir: isNginx ? "" : "/app",
      tty: false,
      ports: c.ports.map((p) => ({ ...p })),
      mounts,
      env,
      labels,
      restartPolicy: c.composeProject ? "always" : "no",
      networks: [c.composeProject ? `${c.composeProject}_default` : "bridge"],
      ipAddress: up ? `172.17.0.${2 + (parseInt(hex(c.id, 2), 16) % 200)}` : null,
      health: isPg && up ? "healthy" : null,
      raw: "",
      ...this.inspectOver[c.name],
    };
    d.raw = JSON.stringify(
      {
        Id: d.id,
        Created: d.createdAt,
        Path: d.entrypoint[0] ?? d.command[0] ?? "",
        Args: [...d.entrypoint.slice(1), ...(d.entrypoint.length ? d.command : d.command.slice(1))],
        State: {
          Status: d.state,
          Running: d.running,
          Paused: d.paused,
          ExitCode: d.exitCode ?? 0,
          Error: d.error ?? "",
          StartedAt: d.startedAt ?? "0001-01-01T00:00:00Z",
          FinishedAt: d.finishedAt ?? "0001-01-01T00:00:00Z",
          ...(d.health ? { Health: { Status: d.health, FailingStreak: 0 } } : {}),
        },
        Image: d.imageId,
        Name: `/${d.name}`,
        RestartCount: 0,
        HostConfig: { RestartPolicy: { Name: d.restartPolicy, MaximumRetryCount: 0 } },
        Mounts: d.mounts.map((m) => ({
          Type: m.kind,
          Name: m.name ?? undefined,
          Source: m.source,
          Destination: m.target,
          RW: !m.readOnly,
        })),
        Config: {
          Hostname: shortHex(d.id),
          Tty: d.tty,
          Env: d.env,
          Cmd: d.command,
          Image: d.image,
          WorkingDir: d.workdir,
          Entrypoint: d.entrypoint.length ? d.entrypoint : null,
          Labels: Object.fromEntries(d.labels.map((l) => [l.key, l.value])),
        },
        NetworkSettings: {
          Ports: Object.fromEntries(
            d.ports.map((p) => [
              `${p.privatePort}/${p.protocol}`,
              p.publicPort == null
                ? null
                : [{ HostIp: p.ip ?? "0.0.0.0", HostPort: String(p.publicPort) }],
            ]),
          ),
          Networks: Object.fromEntries(
            d.networks.map((n) => [n, { IPAddress: d.ipAddress ?? "" }]),
          ),
        },
      },
      null,
      2,
    );
    return d;
  }

  /** A made-up but plausible sample: cumulative counters grow from the last (re)start. */
  statsSample(c: ContainerSummary, tick: number, now = Date.now()): StatsSample {
    const seed = parseInt(hex(c.id, 6), 16) / 0xffffff;
    const since = this.statsSince.get(c.id) ?? (c.created + 5) * 1000;
    const s = Math.max(0, (now - since) / 1000);
    const paused = c.state === "paused";
    const wave = (period: number, phase = 0) => Math.sin(now / period + seed * 10 + phase);
    const cpu = paused ? 0 : Math.max(0, 4 + seed * 30 + 10 * wave(9000) + 4 * wave(1700, 1));
    // ∫(base + amp·sin(t/p)) dt: grows at base ± amp bytes per second, never backwards.
    const grow = (base: number, amp: number, p: number) =>
      Math.round(base * s + amp * p * (1 - Math.cos(s / p)));
    return {
      id: c.id,
      at: now,
      cpuPercent: Math.round(cpu * 100) / 100,
      memoryBytes: Math.round((30 + seed * 220 + 12 * wave(20000, 2)) * 1_048_576),
      memoryLimit: 8 * 1_073_741_824,
      netRx: grow(20_000 + seed * 180_000, 15_000, 7),
      netTx: grow(8_000 + seed * 60_000, 6_000, 11),
      blockRead: grow(2_000 + seed * 30_000, 2_000, 13),
      blockWrite: grow(1_000 + seed * 90_000, 1_000, 5),
      pids: 1 + Math.floor(seed * 30),
      ...this.statsSource?.(c, tick),
    };
  }

  async containerStats(
    op: string,
    ids: string[],
    onSamples: (s: StatsSample[]) => void,
  ): Promise<void> {
    this.enter("containerStats", op, ids);
    this.needConnected();
    return this.withOp(op, async (o) => {
      for (let tick = 0; !o.cancelled; tick++) {
        const now = Date.now();
        const batch = ids
          .map((id) => this.containers.find((c) => c.id === id))
          .filter((c): c is ContainerSummary => c?.state === "running" || c?.state === "paused")
          .map((c) => this.statsSample(c, tick, now));
        if (batch.length) onSamples(batch);
        await new Promise((r) => setTimeout(r, this.statsInterval));
      }
    });
  }

  async containerCommit(
    id: string,
    reference: string,
    message: string | null,
    author: string | null,
  ): Promise<string> {
    this.enter("containerCommit", id, reference, message, author);
    const problem = checkTag(reference);
    if (problem) throw err("InvalidInput", problem, "reference");
    this.needConnected();
    const c = this.requireContainer(id);
    await this.wait(4);
    const imageId = `sha256:${hex(`${c.id}${reference}${Date.now()}`)}`;
    const t = familiar(reference);
    for (const other of this.images) other.repoTags = other.repoTags.filter((x) => x !== t);
    this.images.unshift(
      image({
        id: imageId,
        repoTags: [t],
        size: 120_000_000 + mockContainerSize(c.id),
        created: Math.floor(Date.now() / 1000),
      }),
    );
    this.emitChange({ scope: "image", action: "tag", id: imageId });
    return imageId;
  }

  // --- images ------------------------------------------------------------------------------

  /** The image a reference (tag, id or id prefix) names. */
  findImage(reference: string): ImageSummary | undefined {
    const r = reference.trim();
    const bare = r.replace(/^sha256:/, "");
    return this.images.find(
      (i) =>
        i.repoTags.includes(r) ||
        i.repoTags.includes(familiar(r)) ||
        (bare.length >= 4 && i.id.replace(/^sha256:/, "").startsWith(bare)),
    );
  }

  private requireImage(reference: string): ImageSummary {
    const img = this.findImage(reference);
    if (!img) throw err("NotFound", `There is no image ${reference} on this engine.`);
    return img;
  }

  async imageInspect(reference: string): Promise<ImageDetails> {
    this.enter("imageInspect", reference);
    this.needConnected();
    const img = this.requireImage(reference);
    const name = img.repoTags[0]?.split(":")[0] ?? "";
    const isNginx = name.includes("nginx");
    const isPg = name.includes("postgres");
    const env = [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      ...(isNginx ? ["NGINX_VERSION=1.27.0", "NJS_VERSION=0.8.4", "PKG_RELEASE=2~bookworm"] : []),
      ...(isPg
        ? ["PG_MAJOR=16", "PG_VERSION=16.3-1.pgdg120+1", "PGDATA=/var/lib/postgresql/data"]
        : []),
    ];
    const created = new Date(img.created * 1000).toISOString();
    const labels: [string, string][] = isNginx
      ? [["maintainer", "NGINX Docker Maintainers <docker-maint@nginx.com>"]]
      : name
        ? [
            [
              "org.opencontainers.image.source",
              `https://github.com/example/${name.split("/").pop()}`,
            ],
            ["org.opencontainers.image.version", img.repoTags[0]?.split(":")[1] ?? "latest"],
          ]
        : [];
    const d: ImageDetails = {
      id: img.id,
      repoTags: [...img.repoTags],
      repoDigests: [...img.repoDigests],
      created,
      size: img.size,
      architecture: "amd64",
      os: "linux",
      author: "",
      comment: img.repoTags.length ? "buildkit.dockerfile.v0" : "",
      user: isPg ? "postgres" : "",
      workingDir: isNginx ? "" : "/app",
      entrypoint: isNginx ? ["/docker-entrypoint.sh"] : isPg ? ["docker-entrypoint.sh"] : [],
      cmd: isNginx
        ? ["nginx", "-g", "daemon off;"]
        : isPg
          ? ["postgres"]
          : ["node", "dist/server.js"],
      env,
      exposedPorts: isNginx ? ["80/tcp"] : isPg ? ["5432/tcp"] : ["3000/tcp"],
      volumes: isPg ? ["/var/lib/postgresql/data"] : [],
      labels,
      layers: 7,
      raw: "",
    };
    d.raw = JSON.stringify(
      {
        Id: d.id,
        RepoTags: d.repoTags,
        RepoDigests: d.repoDigests,
        Parent: "",
        Comment: d.comment,
        Created: created,
        DockerVersion: "",
        Author: d.author,
        Config: {
          User: d.user,
          ExposedPorts: Object.fromEntries(d.exposedPorts.map((p) => [p, {}])),
          Env: d.env,
          Cmd: d.cmd,
          Entrypoint: d.entrypoint.length ? d.entrypoint : null,
          Volumes: d.volumes.length ? Object.fromEntries(d.volumes.map((v) => [v, {}])) : null,
          WorkingDir: d.workingDir,
          Labels: Object.fromEntries(d.labels),
        },
        Architecture: d.architecture,
        Os: d.os,
        Size: d.size,
        RootFS: {
          Type: "layers",
          Layers: Array.from({ length: d.layers }, (_, i) => `sha256:${hex(img.id + i)}`),
        },
      },
      null,
      2,
    );
    return d;
  }

  async imageHistory(reference: string): Promise<HistoryEntry[]> {
    this.enter("imageHistory", reference);
    this.needConnected();
    const img = this.requireImage(reference);
    const t = img.created;
    const s = img.size;
    const steps: [string, number][] = [
      ['CMD ["node" "dist/server.js"]', 0],
      ["EXPOSE map[3000/tcp:{}]", 0],
      ["COPY /app/dist ./dist # buildkit", Math.round(s * 0.04)],
      [
        "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates curl gnupg tini && rm -rf /var/lib/apt/lists/* && groupadd --system --gid 1001 app && useradd --system --uid 1001 --gid app --home /app app # buildkit",
        Math.round(s * 0.31),
      ],
      [
        "RUN /bin/sh -c npm ci --omit=dev && npm cache clean --force # buildkit",
        Math.round(s * 0.22),
      ],
      ["WORKDIR /app", 0],
      ["ENV NODE_ENV=production", 0],
      ['/bin/sh -c #(nop)  CMD ["bash"]', 0],
      [
        "/bin/sh -c #(nop) ADD file:5d6b639e8b6bcc01149b5a1b5c3e6d7e4f1a2b3c4d5e6f708192a3b4c5d6e7f8 in / ",
        s - Math.round(s * 0.57),
      ],
    ];
    return steps.map(([createdBy, size], i) => ({
      id: i === 0 ? img.id : i < 7 ? `sha256:${hex(img.id + "h" + i)}` : "<missing>",
      created: t - i * 3600 * (i < 7 ? 1 : 24 * 20),
      createdBy,
      size,
      tags: i === 0 ? [...img.repoTags] : [],
      comment: i < 7 ? "buildkit.dockerfile.v0" : "",
    }));
  }

  async imageRemove(reference: string, force: boolean): Promise<RemoveReport> {
    this.enter("imageRemove", reference, force);
    this.needConnected();
    const img = this.requireImage(reference);
    const isTag = img.repoTags.includes(familiar(reference)) || img.repoTags.includes(reference);
    if (isTag && img.repoTags.length > 1) {
      const tag = img.repoTags.includes(reference) ? reference : familiar(reference);
      img.repoTags = img.repoTags.filter((t) => t !== tag);
      this.emitChange({ scope: "image", action: "untag", id: img.id });
      return { untagged: [tag], deleted: [] };
    }
    const user = this.containers.find(
      (c) => c.imageId === img.id || img.repoTags.includes(familiar(c.image)),
    );
    if ((user || img.containers > 0) && !force) {
      const who = user ? user.id.slice(0, 12) : "4f1b2c3d4e5f";
      throw err(
        "Conflict",
        `conflict: unable to remove repository reference "${reference}" (must force) - container ${who} is using its referenced image ${img.id.replace(/^sha256:/, "").slice(0, 12)}. Remove the container first, or remove the image with “force”.`,
      );
    }
    this.images = this.images.filter((i) => i !== img);
    this.emitChange({ scope: "image", action: "delete", id: img.id });
    return { untagged: [...img.repoTags], deleted: [img.id] };
  }

  async imagePrune(all: boolean): Promise<PruneReport> {
    this.enter("imagePrune", all);
    this.needConnected();
    const used = (i: ImageSummary) =>
      i.containers > 0 ||
      this.containers.some((c) => c.imageId === i.id || i.repoTags.includes(familiar(c.image)));
    const gone = this.images.filter((i) => !used(i) && (all || i.repoTags.length === 0));
    this.images = this.images.filter((i) => !gone.includes(i));
    for (const i of gone) this.emitChange({ scope: "image", action: "delete", id: i.id });
    return {
      deleted: gone.map((i) => i.id),
      untagged: gone.flatMap((i) => i.repoTags),
      spaceReclaimed: gone.reduce((s, i) => s + i.size, 0),
    };
  }

  async imageSearch(term: string, limit: number): Promise<SearchHit[]> {
    this.enter("imageSearch", term, limit);
    this.needConnected();
    const t = term.trim();
    if (!t) throw err("InvalidInput", "Type something to search for.", "term");
    if (/\s/.test(t)) throw err("InvalidInput", "Search terms are image names: no spaces.", "term");
    await this.wait(3);
    return SEARCH_CATALOGUE.filter((h) => h.name.includes(t.toLowerCase())).slice(0, limit);
  }

  async imageTag(source: string, target: string): Promise<string> {
    this.enter("imageTag", source, target);
    const problem = checkTag(target);
    if (problem) throw err("InvalidInput", problem, "tags");
    this.needConnected();
    const img = this.requireImage(source);
    const t = familiar(target);
    for (const other of this.images) other.repoTags = other.repoTags.filter((x) => x !== t);
    img.repoTags = [...img.repoTags, t];
    this.emitChange({ scope: "image", action: "tag", id: img.id });
    return t;
  }

  async imagePull(
    op: string,
    reference: string,
    onProgress: (p: TransferProgress) => void,
  ): Promise<PullResult> {
    this.enter("imagePull", op, reference);
    const ref = reference.trim();
    if (!ref || /\s|[A-Z]/.test(ref.split(":")[0] ?? ""))
      throw err("InvalidInput", `“${ref}” is not a valid image reference.`, "reference");
    this.needConnected();
    return this.withOp(op, async (o) => {
      const full = familiar(ref);
      if (full.startsWith("notfound") || full.includes("does-not-exist"))
        throw err("NotFound", `${full} was not found: manifest unknown`);
      const repo = full.slice(0, full.lastIndexOf(":"));
      const status = `Pulling from ${repo.includes("/") ? repo : `library/${repo}`}`;
      const sizes = [29_150_000, 41_830_000, 1_260_000];
      const layers: LayerProgress[] = sizes.map((size, i) => ({
        id: hex(full + i, 12),
        status: "Pulling fs layer",
        current: 0,
        total: 0,
        transferred: 0,
        size: 0,
        done: false,
      }));
      const snap = (): TransferProgress => {
        const known = layers.filter((l) => l.size > 0);
        return {
          layers: layers.map((l) => ({ ...l })),
          current: known.reduce((s, l) => s + l.transferred, 0),
          total: known.reduce((s, l) => s + l.size, 0),
          layersDone: layers.filter((l) => l.done).length,
          status,
        };
      };
      onProgress(snap());
      for (let step = 1; step <= 14; step++) {
        await this.wait();
        this.check(o);
        layers.forEach((l, i) => {
          const size = sizes[i]!;
          const start = i * 2;
          const k = step - start;
          if (k <= 0) {
            l.status = "Waiting";
            return;
          }
          l.size = size;
          const dl = Math.min(1, k / (i === 2 ? 2 : 7));
          if (dl < 1) {
            l.status = "Downloading";
            l.current = Math.round(size * dl);
            l.total = size;
            l.transferred = l.current;
          } else if (k < (i === 2 ? 4 : 9)) {
            l.status = "Extracting";
            l.transferred = size;
            l.current = Math.round((size * (k - (i === 2 ? 2 : 7))) / 2);
          } else {
            l.status = "Pull complete";
            l.transferred = size;
            l.current = size;
            l.done = true;
          }
        });
        onProgress(snap());
      }
      layers.forEach((l, i) => {
        l.status = "Pull complete";
        l.size = sizes[i]!;
        l.transferred = l.size;
        l.done = true;
      });
      const digest = `sha256:${hex(full + "digest")}`;
      const final = { ...snap(), status: `Status: Downloaded newer image for ${full}` };
      onProgress(final);
      if (!this.findImage(full)) {
        const id = `sha256:${hex(full)}`;
        this.images.unshift(
          image({
            id,
            repoTags: [full],
            repoDigests: [`${repo}@${digest}`],
            size: sizes.reduce((a, b) => a + b, 0) * 2.6,
            created: Math.floor(Date.now() / 1000) - 86400 * 12,
          }),
        );
        this.emitChange({ scope: "image", action: "pull", id });
      }
      return { reference: full, digest, status: final.status };
    });
  }

  // --- registries --------------------------------------------------------------------------

  async registryList(): Promise<LoggedIn[]> {
    this.enter("registryList");
    return structuredClone(this.registries);
  }

  async registryLogin(registry: string, username: string, password: string): Promise<LoggedIn> {
    // The password never goes in the call log.
    this.enter("registryLogin", registry, username, password ? "********" : "");
    const host = normalizeRegistry(registry);
    if (!host || /[\s/]/.test(host))
      throw err(
        "InvalidInput",
        "Enter a registry host, e.g. ghcr.io or localhost:5000 (docker.io for Docker Hub).",
        "registry",
      );
    if (!username.trim()) throw err("InvalidInput", "Enter the user name.", "username");
    if (!password) throw err("InvalidInput", "Enter the password or token.", "password");
    this.needConnected();
    await this.wait(4);
    if (host === DOWN_REGISTRY || host.startsWith(`${DOWN_REGISTRY}:`))
      throw err(
        "Failed",
        `${host} cannot be reached from the engine: Get "https://${host}/v2/": dial tcp: lookup ${host}: no such host`,
      );
    if (host.startsWith("selfsigned."))
      throw err(
        "Failed",
        `The engine does not trust ${host}'s TLS certificate: Get "https://${host}/v2/": x509: certificate signed by unknown authority. Add the registry's CA to the engine (for Docker: /etc/docker/certs.d/${host}/ca.crt).`,
      );
    if (password === WRONG_PASSWORD)
      throw err(
        "Unauthorized",
        `${host} refused the credentials: unauthorized: incorrect username or password. Check the user name and password, or log in again.`,
      );
    const entry: LoggedIn = {
      registry: host,
      username: username.trim(),
      source: structuredClone(this.credentialStore),
    };
    this.registries = [...this.registries.filter((r) => r.registry !== host), entry].sort((a, b) =>
      a.registry.localeCompare(b.registry),
    );
    return structuredClone(entry);
  }

  async registryLogout(registry: string): Promise<void> {
    this.enter("registryLogout", registry);
    const host = normalizeRegistry(registry);
    await this.wait();
    this.registries = this.registries.filter((r) => r.registry !== host);
  }

  async imagePush(
    op: string,
    reference: string,
    onProgress: (p: TransferProgress) => void,
  ): Promise<PushResult> {
    this.enter("imagePush", op, reference);
    const ref = reference.trim();
    if (ref.includes("@"))
      throw err("InvalidInput", "Push a tag, not a digest: tag the image first.", "reference");
    const problem = ref ? checkTag(ref) : "Choose a tag to push.";
    if (problem) throw err("InvalidInput", problem, "reference");
    this.needConnected();
    const full = familiar(ref);
    const img = this.findImage(full);
    if (!img || !img.repoTags.includes(full))
      throw err(
        "NotFound",
        `There is no image ${full} on this engine: tag an image with it first.`,
      );
    const registry = registryOf(full);
    return this.withOp(op, async (o) => {
      const repo = full.slice(0, full.lastIndexOf(":"));
      const tag = full.slice(full.lastIndexOf(":") + 1);
      const status = `The push refers to repository [${isHub(registry) && !repo.startsWith("docker.io/") ? `docker.io/${repo.includes("/") ? repo : `library/${repo}`}` : repo}]`;
      const sizes = [31_420_000, 18_960_000, 2_310_000];
      const layers: LayerProgress[] = sizes.map((_, i) => ({
        id: hex(img.id + "layer" + i, 12),
        status: "Preparing",
        current: 0,
        total: 0,
        transferred: 0,
        size: 0,
        done: false,
      }));
      const snap = (st: string | null = status): TransferProgress => {
        const known = layers.filter((l) => l.size > 0);
        return {
          layers: layers.map((l) => ({ ...l })),
          current: known.reduce((s, l) => s + l.transferred, 0),
          total: known.reduce((s, l) => s + l.size, 0),
          layersDone: layers.filter((l) => l.done).length,
          status: st,
        };
      };
      onProgress(snap());
      await this.wait();
      this.check(o);
      if (registry === DOWN_REGISTRY)
        throw err(
          "Failed",
          `${registry} cannot be reached from the engine: Get "https://${registry}/v2/": dial tcp: lookup ${registry}: no such host`,
        );
      const loggedIn = this.registries.some((r) => r.registry === registry);
      const local = /^(localhost|127\.0\.0\.1)(:\d+)?$/.test(registry);
      if (!loggedIn && !local)
        throw err(
          "Unauthorized",
          `${registry} refused the credentials: unauthorized: authentication required. Check the user name and password, or log in again.`,
        );
      if (isHub(registry) && !repo.replace(/^docker\.io\//, "").includes("/"))
        throw err(
          "Failed",
          `denied: requested access to the resource is denied (docker.io/library/${repo} is for Docker's official images: tag the image with your Docker Hub user name, e.g. ${this.registries.find((r) => isHub(r.registry))?.username ?? "you"}/${repo}:${tag}).`,
        );
      for (const l of layers) l.status = "Waiting";
      onProgress(snap());
      for (let step = 1; step <= 12; step++) {
        await this.wait();
        this.check(o);
        layers.forEach((l, i) => {
          const size = sizes[i]!;
          const k = step - i * 2;
          if (k <= 0 || l.done) return;
          l.size = size;
          l.total = size;
          const f = Math.min(1, k / (i === 2 ? 2 : 6));
          l.transferred = Math.round(size * f);
          l.current = l.transferred;
          l.status = f < 1 ? "Pushing" : "Pushed";
          l.done = f >= 1;
        });
        onProgress(snap());
      }
      layers.forEach((l, i) => {
        l.size = sizes[i]!;
        l.transferred = l.current = l.total = l.size;
        l.status = "Pushed";
        l.done = true;
      });
      const digest = `sha256:${hex(full + "pushed")}`;
      const final = `${tag}: digest: ${digest} size: 949`;
      onProgress(snap(final));
      const rd = `${repo}@${digest}`;
      if (!img.repoDigests.includes(rd)) img.repoDigests = [...img.repoDigests, rd];
      this.emitChange({ scope: "image", action: "push", id: img.id });
      return { reference: full, digest, status: final };
    });
  }

  // --- build -------------------------------------------------------------------------------

  private register(dir: string): ContextRef {
    const existing = [...this.contexts.values()].find((c) => c.ref.display === dir);
    if (existing) return { ...existing.ref, dockerfiles: [...existing.ref.dockerfiles] };
    const id = `ctx-${this.contexts.size + 1}`;
    const name = dir.split("/").filter(Boolean).pop() ?? dir;
    const ref: ContextRef = {
      id,
      name,
      display: dir,
      dockerfiles: this.folders[dir] ?? ["Dockerfile", "docker/dev.Dockerfile"],
    };
    this.contexts.set(id, { ref });
    return { ...ref, dockerfiles: [...ref.dockerfiles] };
  }

  /** Opens a folder, or a file's folder with the file as the Dockerfile. */
  openPath(path: string): OpenedContext {
    const p = path.trim().replace(/\/+$/, "");
    if (!p) throw err("InvalidInput", "Type or choose a folder.", "context");
    if (!p.startsWith("/") || /missing|nope/.test(p))
      throw err("InvalidInput", `${p} does not exist.`, "context");
    const last = p.split("/").pop() ?? "";
    if (/dockerfile|containerfile/i.test(last)) {
      const dir = p.slice(0, p.lastIndexOf("/")) || "/";
      return { context: this.register(dir), dockerfile: last };
    }
    return { context: this.register(p), dockerfile: null };
  }

  private contextOf(id: string): ContextRef {
    const c = this.contexts.get(id);
    if (!c)
      throw err(
        "InvalidInput",
        "That folder is no longer known; drop or choose it again.",
        "context",
      );
    return c.ref;
  }

  async contextOpen(path: string): Promise<OpenedContext> {
    this.enter("contextOpen", path);
    return this.openPath(path);
  }

  async contextPick(): Promise<OpenedContext | null> {
    this.enter("contextPick");
    await this.wait();
    return this.pickPath ? this.openPath(this.pickPath) : null;
  }

  private checkDockerfile(ctx: ContextRef, dockerfile: string): string {
    const df = dockerfile.trim() || "Dockerfile";
    if (!df.startsWith("/") && !ctx.dockerfiles.includes(df))
      throw err("InvalidInput", `${ctx.display}/${df} does not exist.`, "dockerfile");
    return df;
  }

  async contextScan(
    op: string,
    contextId: string,
    dockerfile: string,
    onProgress: (p: ScanProgress) => void,
  ): Promise<ContextSummary> {
    this.enter("contextScan", op, contextId, dockerfile);
    const ctx = this.contextOf(contextId);
    const df = this.checkDockerfile(ctx, dockerfile);
    return this.withOp(op, async (o) => {
      for (let i = 1; i <= 6; i++) {
        await this.wait();
        this.check(o);
        onProgress({ entries: i * 412, bytes: i * 3_100_000 });
      }
      return {
        files: 2431,
        dirs: 318,
        symlinks: 4,
        bytes: 18_740_000,
        tarBytes: 20_190_000,
        excluded: 12,
        biggest: [
          { path: "src", bytes: 9_820_000, isDir: true },
          { path: "public", bytes: 6_410_000, isDir: true },
          { path: "package-lock.json", bytes: 1_130_000, isDir: false },
          { path: "docs", bytes: 880_000, isDir: true },
          { path: "README.md", bytes: 12_400, isDir: false },
        ],
        biggestFiles: [
          { path: "public/videos/intro.mp4", bytes: 4_900_000, isDir: false },
          { path: "src/assets/fonts/Inter.var.woff2", bytes: 1_620_000, isDir: false },
          { path: "package-lock.json", bytes: 1_130_000, isDir: false },
          { path: "public/og-image.png", bytes: 640_000, isDir: false },
        ],
        warnings:
          df === "Dockerfile"
            ? []
            : [".dockerignore line 4 “**/*.log/” only matches folders named like files."],
        unreadable: [],
        dockerfile: df.startsWith("/") ? null : df,
      };
    });
  }

  async dockerfileInfo(contextId: string, dockerfile: string): Promise<DockerfileInfo> {
    this.enter("dockerfileInfo", contextId, dockerfile);
    const ctx = this.contextOf(contextId);
    const df = this.checkDockerfile(ctx, dockerfile);
    if (df !== "Dockerfile")
      return {
        args: [{ name: "NODE_VERSION", default: "20", stage: null }],
        stages: [{ index: 0, name: null, base: "node:${NODE_VERSION}-alpine", line: 2 }],
        problems: [],
      };
    return {
      args: [
        { name: "NODE_VERSION", default: "20", stage: null },
        { name: "APP_ENV", default: "production", stage: "build" },
        { name: "GIT_SHA", default: null, stage: "build" },
      ],
      stages: [
        { index: 0, name: "deps", base: "node:${NODE_VERSION}-alpine", line: 3 },
        { index: 1, name: "build", base: "deps", line: 9 },
        { index: 2, name: "runtime", base: "gcr.io/distroless/nodejs20-debian12", line: 17 },
      ],
      problems: ["Line 21: MAINTAINER is deprecated; use LABEL maintainer=… instead."],
    };
  }

  async buildHistory(): Promise<BuildRecord[]> {
    this.log.push({ method: "buildHistory", args: [] });
    return this.history.map((r) => structuredClone(r));
  }

  // --- container logs (mock-logs.ts) -------------------------------------------------------

  /** Logs: history size, follow rate, what a save returns; `logs.push`/`logs.end` for tests. */
  readonly logs = new MockLogs();

  async containerLogs(
    op: string,
    id: string,
    options: LogOptions,
    onBatch: (batch: LogBatch) => void,
  ): Promise<LogsEnd> {
    this.enter("containerLogs", op, id, options);
    this.needConnected();
    // As Rust, never an empty batch (it would read as one empty line).
    return this.logs.stream(op, MockLogs.find(this.containers, id), options, (lines) => {
      if (lines.length > 0) onBatch(encodeBatch(lines));
    });
  }

  async containerLogsSave(id: string, timestamps: boolean): Promise<string | null> {
    this.enter("containerLogsSave", id, timestamps);
    this.needConnected();
    const c = MockLogs.find(this.containers, id);
    await this.wait();
    return this.logs.savePath ? this.logs.savePath(c) : null;
  }

  async opCancel(op: string): Promise<boolean> {
    this.log.push({ method: "opCancel", args: [op] });
    if (this.logs.cancel(op)) return true;
    if (this.terminals.cancel(op)) return true;
    const o = this.ops.get(op);
    if (!o) return false;
    o.cancelled = true;
    return true;
  }

  async commandLine(command: DockerCommand): Promise<string> {
    this.enter("commandLine", command);
    const root = command.op === "build" ? this.contextOf(command.contextId).display : "";
    return mockCommandLine(command, root);
  }

  private checkOptions(ctx: ContextRef, o: BuildOptions): void {
    this.checkDockerfile(ctx, o.dockerfile);
    for (const t of o.tags) {
      if (!t.trim()) continue;
      const problem = checkTag(t);
      if (problem) throw err("InvalidInput", problem, "tags");
    }
    for (const [list, field, what] of [
      [o.buildArgs, "buildArgs", "build-arg"],
      [o.labels, "labels", "label"],
    ] as const) {
      for (const kv of list) {
        const k = kv.key.trim();
        if (!k && !kv.value) continue;
        if (!k || /[\s=]/.test(k))
          throw err(
            "InvalidInput",
            `“${k}” is not a ${what} name: it must be non-empty, without spaces or “=”.`,
            field,
          );
      }
    }
    const target = o.target?.trim();
    if (target && (o.dockerfile || "Dockerfile") === "Dockerfile") {
      const names = ["deps", "build", "runtime"];
      if (!names.includes(target))
        throw err(
          "InvalidInput",
          `The Dockerfile has no stage “${target}” (its stages: ${names.join(", ")}).`,
          "target",
        );
    }
  }

  private defaultScript(o: BuildOptions, fail: boolean): string[] {
    const g = (s: string) => `${ESC}[32m${s}${ESC}[39m`;
    const y = (s: string) => `${ESC}[33m${s}${ESC}[39m`;
    const dim = (s: string) => `${ESC}[2m${s}${ESC}[22m`;
    const b = (s: string) => `${ESC}[1m${s}${ESC}[22m`;
    const id = (s: string) => ` ---> ${hex(s, 12)}\n`;
    const lines = [
      "Step 1/9 : ARG NODE_VERSION=20\n",
      "Step 2/9 : FROM node:${NODE_VERSION}-alpine AS deps\n",
      id("from"),
      "Step 3/9 : WORKDIR /app\n",
      o.noCache ? ` ---> Running in ${hex("wd", 12)}\n` : " ---> Using cache\n",
      id("wd"),
      "Step 4/9 : COPY package.json package-lock.json ./\n",
      id("copy"),
      "Step 5/9 : RUN npm ci\n",
      ` ---> Running in ${hex("npmci", 12)}\n`,
      `${ESC}[37;40mnpm${ESC}[0m ${ESC}[0m${ESC}[30;43mWARN${ESC}[0m ${ESC}[0m${ESC}[35mdeprecated${ESC}[0m inflight@1.0.6: This module is not supported, and leaks memory.\n`,
      `${ESC}[37;40mnpm${ESC}[0m ${ESC}[0m${ESC}[30;43mWARN${ESC}[0m ${ESC}[0m${ESC}[35mdeprecated${ESC}[0m glob@7.2.3: Glob versions prior to v9 are no longer supported\n`,
      "\n",
      `added ${b("612")} packages, and audited 613 packages in 9s\n`,
      `\n${b("148")} packages are looking for funding\n  run \`npm fund\` for details\n\nfound ${g(b("0"))} vulnerabilities\n`,
      ` ---> Removed intermediate container ${hex("npmci", 12)}\n`,
      id("npm"),
      "Step 6/9 : COPY . .\n",
      id("copyall"),
      "Step 7/9 : RUN npm run build\n",
      ` ---> Running in ${hex("build", 12)}\n`,
      `\n> webapp@2.4.0 build\n> vite build\n\n`,
      `${ESC}[36mvite v5.4.2 ${g("building for production...")}${ESC}[39m\n`,
      "transforming (1) index.html\rtransforming (118) src/main.ts\rtransforming (412) node_modules/.pnpm/react-dom/index.js\r",
      `${g("✓")} 412 modules transformed.\n`,
    ];
    if (fail) {
      return [
        ...lines,
        `${ESC}[31merror TS2322: Type 'string' is not assignable to type 'number'.${ESC}[39m\n`,
        `  ${dim("src/api/client.ts:42:7")}\n`,
        `${ESC}[31m${b("error")} during build:${ESC}[39m\nError: Build failed with 1 error\n`,
      ];
    }
    return [
      ...lines,
      `${dim("dist/")}${ESC}[32mindex.html${ESC}[39m                 ${b(dim("  0.46 kB"))}${dim(" │ gzip:  0.30 kB")}\n`,
      `${dim("dist/")}${ESC}[35massets/index-4f3a9c1e.css${ESC}[39m  ${b(dim(" 18.02 kB"))}${dim(" │ gzip:  4.11 kB")}\n`,
      `${dim("dist/")}${ESC}[36massets/index-8d1e22b0.js${ESC}[39m   ${b(y("512.80 kB"))}${dim(" │ gzip: 164.30 kB")}\n`,
      `${y("(!) Some chunks are larger than 500 kB after minification.")}\n`,
      `${g("✓ built in 4.21s")}\n`,
      ` ---> Removed intermediate container ${hex("build", 12)}\n`,
      id("built"),
      "Step 8/9 : FROM gcr.io/distroless/nodejs20-debian12 AS runtime\n",
      id("rt"),
      'Step 9/9 : CMD ["dist/server.js"]\n',
      ` ---> Running in ${hex("cmd", 12)}\n`,
      ` ---> Removed intermediate container ${hex("cmd", 12)}\n`,
    ];
  }

  async imageBuild(
    op: string,
    request: BuildRequest,
    onEvent: (e: BuildEvent) => void,
  ): Promise<BuildResult> {
    this.enter("imageBuild", op, request);
    const ctx = this.contextOf(request.contextId);
    const o = request.options;
    this.checkOptions(ctx, o);
    this.needConnected();
    const run = this.begin(op);
    const started = Date.now();
    // Like the app: the folder goes first in the recent build folders.
    this.settings.recentContexts = [
      ctx.display,
      ...this.settings.recentContexts.filter((p) => p !== ctx.display),
    ].slice(0, MAX_RECENT_CONTEXTS);
    const fail = o.buildArgs.some((kv) => kv.key === "FAIL" && kv.value !== "" && kv.value !== "0");
    const record = (outcome: BuildRecord["outcome"], result?: BuildResult, error?: string) => {
      this.history.unshift({
        context: { id: ctx.id, name: ctx.name, display: ctx.display },
        options: structuredClone(o),
        startedAt: started,
        durationMs: Date.now() - started,
        outcome,
        imageId: result?.imageId ?? null,
        tags: result?.tags ?? [],
        error: error ?? null,
      });
      this.history = this.history.slice(0, 50);
    };
    try {
      const total = request.expectedBytes ?? 20_190_000;
      for (let i = 1; i <= 5; i++) {
        await this.wait();
        this.check(run);
        onEvent({ kind: "context", sent: Math.round((total * i) / 5), total });
      }
      const script = this.buildScript ?? this.defaultScript(o, fail);
      for (const [i, text] of script.entries()) {
        await this.wait();
        this.check(run);
        onEvent({ kind: "output", text });
        if (i === 1 && o.pull) {
          const layers: LayerProgress[] = [0, 1, 2].map((k) => ({
            id: hex("base" + k, 12),
            status: "Downloading",
            current: 0,
            total: 3_400_000 * (k + 1),
            transferred: 0,
            size: 3_400_000 * (k + 1),
            done: false,
          }));
          for (let step = 1; step <= 4; step++) {
            await this.wait();
            this.check(run);
            for (const l of layers) {
              l.transferred = Math.min(l.size, Math.round((l.size * step) / 3));
              l.current = l.transferred;
              l.done = step >= 4;
              l.status = l.done ? "Pull complete" : "Downloading";
            }
            onEvent({
              kind: "pull",
              progress: {
                layers: layers.map((l) => ({ ...l })),
                current: layers.reduce((s, l) => s + l.transferred, 0),
                total: layers.reduce((s, l) => s + l.size, 0),
                layersDone: layers.filter((l) => l.done).length,
                status: "Pulling from library/node",
              },
            });
          }
        }
      }
      if (fail)
        throw err("Failed", "The command '/bin/sh -c npm run build' returned a non-zero code: 1");
      const unused = o.buildArgs.filter(
        (kv) => kv.key.trim() && !["NODE_VERSION", "APP_ENV", "GIT_SHA"].includes(kv.key.trim()),
      );
      const warnings = unused.length
        ? [
            `One or more build-args [${unused.map((kv) => kv.key.trim()).join(" ")}] were not consumed.`,
          ]
        : [];
      for (const w of warnings) onEvent({ kind: "warning", message: w });
      const imageId = `sha256:${hex(`${ctx.id}${JSON.stringify(o)}${started}`)}`;
      onEvent({ kind: "output", text: `Successfully built ${imageId.slice(7, 19)}\n` });
      const tags: string[] = [];
      for (const t of o.tags.map((t) => t.trim()).filter(Boolean)) {
        const f = familiar(t);
        if (tags.includes(f)) continue;
        tags.push(f);
        onEvent({ kind: "output", text: `Successfully tagged ${f}\n` });
      }
      for (const other of this.images)
        other.repoTags = other.repoTags.filter((x) => !tags.includes(x));
      this.images.unshift(
        image({
          id: imageId,
          repoTags: tags,
          size: 184_300_000,
          created: Math.floor(Date.now() / 1000),
        }),
      );
      this.emitChange({ scope: "image", action: "tag", id: imageId });
      const result: BuildResult = { imageId, tags, durationMs: Date.now() - started, warnings };
      record("succeeded", result);
      return result;
    } catch (e) {
      const ipc = e as IpcError;
      record(
        ipc.code === "Cancelled" ? "cancelled" : "failed",
        undefined,
        ipc.code === "Cancelled" ? undefined : ipc.message,
      );
      throw e;
    } finally {
      this.ops.delete(op);
    }
  }

  // --- run a container ---------------------------------------------------------------------

  /** What `pickFolder` and `pickFile` return (null: the picker was closed). */
  pickFolderPath: string | null = "/home/me/projects/webapp/data";
  pickFilePath: string | null = "/home/me/projects/webapp/.env";
  private runCount = 0;

  async containerRunCheck(spec: RunSpec): Promise<RunCheck> {
    this.enter("containerRunCheck", spec);
    return checkRunSpec(spec);
  }

  async containerRunParse(line: string): Promise<RunSpec> {
    this.enter("containerRunParse", line);
    return parseRunLine(line);
  }

  /**
   * Images named `missing…` are not local until pulled. The pretend container prints and exits
   * as its command says (`sh -c "echo hi; exit 3"`, `sleep 1d`…; see `runScript`).
   */
  async containerRun(
    op: string,
    spec: RunSpec,
    acceptRisks: boolean,
    onOutput: (o: RunOutput) => void,
  ): Promise<RunOutcome> {
    this.enter("containerRun", op, structuredClone(spec), acceptRisks);
    const check = checkRunSpec(spec);
    if (check.risks.length && !acceptRisks)
      throw err("InvalidInput", "This run has risky options: confirm them first.");
    this.needConnected();
    if (/^missing(:|$)/.test(spec.image) && !this.findImage(spec.image))
      throw err(
        "ImageNotLocal",
        `The image ${familiar(spec.image)} is not on this engine: pull it, then run again.`,
      );
    if (spec.name && this.containers.some((c) => c.name === spec.name))
      throw err(
        "Conflict",
        `The name “${spec.name}” is already in use by another container: choose another name, or remove that container first.`,
        "name",
      );
    for (const p of spec.ports) {
      const port = hostPort(p);
      const holder = this.containers.find(
        (c) => c.state === "running" && c.ports.some((x) => x.publicPort === port),
      );
      if (port !== null && holder)
        throw err(
          "Conflict",
          `Port ${port} is already in use (by ${holder.name}): choose another host port.`,
        );
    }
    const run = this.begin(op);
    const name = spec.name ?? generatedName(this.runCount++);
    const id = hex(`${name}${Date.now()}`);
    const c = container({
      id,
      name,
      image: spec.image,
      command: spec.command.join(" "),
      status: "Up Less than a second",
      created: Math.floor(Date.now() / 1000),
      ports: spec.ports.flatMap((p) => {
        const host = hostPort(p);
        const inner = Number(/(\d+)(?:-\d+)?(?:\/\w+)?$/.exec(p)?.[1]);
        return host === null
          ? []
          : [{ ip: "0.0.0.0", privatePort: inner, publicPort: host, protocol: "tcp" }];
      }),
    });
    this.containers.unshift(c);
    this.emitChange({ scope: "container", action: "start", id });
    const script = runScript(spec);
    const exited = (code: number) => {
      c.state = "exited";
      c.status = `Exited (${code}) Less than a second ago`;
      if (spec.remove) this.containers = this.containers.filter((x) => x !== c);
      this.emitChange({ scope: "container", action: "die", id, exitCode: code });
    };
    try {
      if (spec.detach) {
        await this.wait();
        if (script.code === null) return { id, name, exited: null };
        exited(script.code);
        return { id, name, exited: { code: script.code, lastLines: script.lines.slice(-20) } };
      }
      for (const text of script.lines) {
        await this.wait();
        this.check(run);
        onOutput({
          lines: [
            { stream: /error|fail/i.test(text) ? "stderr" : "stdout", timestamp: null, text },
          ],
        });
      }
      if (script.code === null) {
        for (;;) {
          await this.wait();
          this.check(run);
        }
      }
      exited(script.code);
      return { id, name, exited: { code: script.code, lastLines: script.lines.slice(-20) } };
    } catch (e) {
      if ((e as IpcError).code === "Cancelled") exited(137);
      throw e;
    } finally {
      this.ops.delete(op);
    }
  }

  async pickFolder(): Promise<string | null> {
    this.enter("pickFolder");
    return this.pickFolderPath;
  }

  async pickFile(): Promise<string | null> {
    this.enter("pickFile");
    return this.pickFilePath;
  }

  // --- a container's terminal and files -----------------------------------------------------

  /** The pretend filesystems (test hooks: `add`, `hostPaths`, `hostFolders`, `listLimit`). */
  readonly files = new MockFiles();
  /** The pretend shells (test hooks: `tty`, `received`, `size`, `isOpen`, `containerStopped`). */
  readonly terminals = new MockTerminals(this.files);
  private stopsWatched = false;

  /** A container's terminals end when it stops (the daemon ends its execs). */
  private watchStops(): void {
    if (this.stopsWatched) return;
    this.stopsWatched = true;
    void this.onEngineChanged((ch) => {
      if (ch.scope === "container" && (ch.action === "die" || ch.action === "destroy"))
        this.terminals.containerStopped(ch.id);
    });
  }

  async terminalOpen(
    op: string,
    id: string,
    target: TerminalTarget,
    cols: number,
    rows: number,
    onOutput: (text: string) => void,
  ): Promise<TerminalEnd> {
    this.enter("terminalOpen", op, id, structuredClone(target), cols, rows);
    this.needConnected();
    this.watchStops();
    const c = MockLogs.find(this.containers, id);
    // Like the app, the terminal is registered (input, resize and cancel reach it) only once
    // the exec runs.
    await this.wait();
    return this.terminals.open(op, c, target, cols, rows, onOutput);
  }

  async terminalInput(op: string, data: string): Promise<void> {
    this.enter("terminalInput", op, data);
    this.terminals.input(op, data);
  }

  async terminalResize(op: string, cols: number, rows: number): Promise<void> {
    this.enter("terminalResize", op, cols, rows);
    this.terminals.resize(op, cols, rows);
  }

  async containerFilesList(id: string, path: string): Promise<Listing> {
    this.enter("containerFilesList", id, path);
    this.needConnected();
    const c = MockLogs.find(this.containers, id);
    await this.wait();
    return this.files.list(c, path);
  }

  async containerCopyOut(
    op: string,
    id: string,
    path: string,
    destination: string,
    overwrite: boolean,
  ): Promise<CopyReport> {
    this.enter("containerCopyOut", op, id, path, destination, overwrite);
    this.needConnected();
    const c = MockLogs.find(this.containers, id);
    return this.withOp(op, async (o) => {
      await this.wait(3);
      this.check(o);
      return this.files.copyOut(c, path, destination, overwrite);
    });
  }

  async containerCopyIn(
    op: string,
    id: string,
    hostPath: string,
    containerDir: string,
  ): Promise<CopyReport> {
    this.enter("containerCopyIn", op, id, hostPath, containerDir);
    this.needConnected();
    const c = MockLogs.find(this.containers, id);
    return this.withOp(op, async (o) => {
      await this.wait(3);
      this.check(o);
      const r = this.files.copyIn(c, hostPath, containerDir);
      this.emitChange({ scope: "container", action: "extract-to-dir", id: c.id, name: c.name });
      return r;
    });
  }

  /** True while an operation by that id runs. */
  isRunning(op: string): boolean {
    return this.ops.has(op);
  }
}

/** As the app keeps them (settings.rs). */
export const MAX_RECENT_CONTEXTS = 10;
export const MAX_RUN_PRESETS = 50;

/** What the app's `port_open` accepts: `http://<IP or localhost>:<port>/`, nothing else. */
export function portUrlOk(url: string): boolean {
  const m = /^http:\/\/(\[[0-9a-fA-F:.]+\]|localhost|\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\/$/.exec(
    url,
  );
  if (!m) return false;
  const port = Number(m[2]);
  return port > 0 && port <= 65535;
}

export function defaultSettings(): Settings {
  return {
    version: 3,
    engineHost: null,
    theme: "system",
    logTailLines: 1000,
    logBufferMb: 64,
    closeToTray: false,
    notifications: {
      buildFinished: true,
      pushFinished: true,
      containerDied: true,
      containerUnhealthy: true,
    },
    recentContexts: [],
    runPresets: [],
  };
}

export function container(over: Partial<ContainerSummary> & { name: string }): ContainerSummary {
  return {
    id: over.id ?? over.name.padEnd(64, "0"),
    image: "busybox:latest",
    imageId: "sha256:1",
    command: "sh",
    state: "running",
    status: "Up 2 minutes",
    ports: [],
    created: Math.floor(Date.now() / 1000) - 120,
    composeProject: null,
    ...over,
  };
}

export function image(over: Partial<ImageSummary> & { id: string }): ImageSummary {
  return {
    repoTags: [],
    repoDigests: [],
    size: 1_000_000,
    created: Math.floor(Date.now() / 1000) - 3600,
    containers: 0,
    ...over,
  };
}

export function buildOptions(over: Partial<BuildOptions> = {}): BuildOptions {
  return {
    dockerfile: "Dockerfile",
    tags: [],
    buildArgs: [],
    target: null,
    noCache: false,
    pull: false,
    labels: [],
    ...over,
  };
}
