// The one door from the UI to the app. Components and stores take a `Backend`; the app passes
// the Tauri one, tests a mock.

// Every generated type, for components and stores (BuildOptions and BuildRecord are
// narrowed below).
export type * from "./bindings";
export type { Source as CredentialSource } from "./bindings";
import type { LogOptions, LogsEnd } from "../features/containers/logs/types";
import type { LogBatch } from "./bindings";
import type { TerminalEnd, TerminalTarget } from "../features/containers/terminal/types";
import type { CopyReport, Listing } from "../features/containers/files/types";
import type {
  BuildOptions as GeneratedBuildOptions,
  BuildRecord as GeneratedBuildRecord,
  BuildEvent,
  BuildResult,
  Change,
  ContainerSummary,
  ContextSummary,
  DockerfileInfo,
  DropEvent,
  EngineStatus,
  HistoryEntry,
  ImageDetails,
  ImageSummary,
  IpcError,
  OpenedContext,
  OpenRequest,
  PruneReport,
  PullResult,
  RemoveReport,
  ScanProgress,
  SearchHit,
  TransferProgress,
  LoggedIn,
  PushResult,
  Settings,
} from "./bindings";
import type {
  ActionReport,
  ContainerAction,
  ContainerDetails,
  ContainerPruneReport,
  StatsSample,
} from "../features/containers/types";
import type { RunCheck, RunOutcome, RunOutput, RunSpec } from "../features/run/types";

/**
 * Build options with every field present. The Rust side fills missing fields with defaults
 * (`#[serde(default)]`, hence optional in the bindings) and always sends them all back; the UI
 * always sends them all.
 */
export type BuildOptions = Required<GeneratedBuildOptions>;
export type BuildRecord = Omit<GeneratedBuildRecord, "options"> & { options: BuildOptions };
export type BuildRequest = {
  contextId: string;
  options: BuildOptions;
  expectedBytes: number | null;
};
export type DockerCommand =
  | { op: "build"; contextId: string; options: BuildOptions }
  | { op: "pull"; reference: string }
  | { op: "removeImage"; reference: string; force: boolean }
  | { op: "pruneImages"; all: boolean }
  | { op: "search"; term: string }
  | { op: "history"; reference: string }
  | { op: "inspectImage"; reference: string }
  | { op: "tag"; source: string; target: string }
  | { op: "listImages"; all: boolean }
  /** `docker cp web:/etc/nginx /home/me/out`: the container side is `name:path`. */
  | { op: "cp"; from: string; to: string }
  | { op: "push"; reference: string }
  /** `docker login -u alice localhost:5000`: the password is never part of it. */
  | { op: "login"; registry: string; username: string }
  | { op: "logout"; registry: string }
  // Containers: `docker container stop|start|…|rm <names>`, rename, prune, commit, logs, exec.
  | { op: "containerAction"; names: string[]; action: ContainerAction }
  | { op: "renameContainer"; name: string; newName: string }
  | { op: "pruneContainers" }
  | {
      op: "commit";
      container: string;
      reference: string;
      message: string | null;
      author: string | null;
    }
  | { op: "logs"; container: string; tail: number | null; timestamps: boolean }
  | { op: "exec"; container: string; command: string[] }
  | { op: "inspectContainer"; name: string };

/** Fills the fields serde may leave out. */
export function fullOptions(o: GeneratedBuildOptions): BuildOptions {
  return {
    dockerfile: o.dockerfile ?? "",
    tags: o.tags ?? [],
    buildArgs: o.buildArgs ?? [],
    target: o.target ?? null,
    noCache: o.noCache ?? false,
    pull: o.pull ?? false,
    labels: o.labels ?? [],
  };
}

/** Every method that can fail throws an `IpcError`. */
export interface Backend {
  settingsGet(): Promise<Settings>;
  /**
   * Throws an `IpcError` (`InvalidInput` with the field). Returns what was stored. With `base`
   * (the settings `settings` was made from) only what differs from it is applied over the
   * settings as they are now: what changed meanwhile (a build's recent folder) is kept.
   */
  settingsSet(settings: Settings, base?: Settings): Promise<Settings>;
  engineStatus(): Promise<EngineStatus>;
  engineReconnect(): Promise<void>;
  containerList(all: boolean): Promise<ContainerSummary[]>;
  // --- manage containers ---
  /**
   * Runs one action on each id (in parallel, bounded); never throws for a per-container
   * failure — reports it. Throws only when the engine is unreachable.
   */
  containerAction(ids: string[], action: ContainerAction): Promise<ActionReport>;
  /** Throws InvalidInput (field "name") for a bad name, Conflict when the name is taken. */
  containerRename(id: string, name: string): Promise<void>;
  /** Removes every stopped container (`docker container prune`). */
  containerPrune(): Promise<ContainerPruneReport>;
  containerInspect(id: string): Promise<ContainerDetails>;
  /** Live stats for these containers until `opCancel(op)`; one batch per daemon tick (~1 s). */
  containerStats(op: string, ids: string[], onSamples: (s: StatsSample[]) => void): Promise<void>;
  /**
   * Commits the container to a new image; returns the image id. Throws InvalidInput (field
   * "reference") for a bad repository:tag.
   */
  containerCommit(
    id: string,
    reference: string,
    message: string | null,
    author: string | null,
  ): Promise<string>;
  imageList(): Promise<ImageSummary[]>;
  onEngineStatus(cb: (s: EngineStatus) => void): Promise<() => void>;
  onEngineChanged(cb: (c: Change) => void): Promise<() => void>;

  imageInspect(reference: string): Promise<ImageDetails>;
  /** Newest step first, as `docker history` prints it. */
  imageHistory(reference: string): Promise<HistoryEntry[]>;
  imageRemove(reference: string, force: boolean): Promise<RemoveReport>;
  imagePrune(all: boolean): Promise<PruneReport>;
  imageSearch(term: string, limit: number): Promise<SearchHit[]>;
  /** Returns the new reference in Docker's familiar form. */
  imageTag(source: string, target: string): Promise<string>;
  /** Cancellable with `opCancel(op)`. */
  imagePull(
    op: string,
    reference: string,
    onProgress: (p: TransferProgress) => void,
  ): Promise<PullResult>;
  /** Registries Docker has credentials for (from its config file, helpers, keychain). */
  registryList(): Promise<LoggedIn[]>;
  /**
   * Checks the credentials with the registry through the engine, then stores them where Docker
   * keeps them (a credential helper or the OS keychain). Never keeps the password itself.
   */
  registryLogin(registry: string, username: string, password: string): Promise<LoggedIn>;
  registryLogout(registry: string): Promise<void>;
  /** Pushes a local tag; cancellable with `opCancel(op)`. */
  imagePush(
    op: string,
    reference: string,
    onProgress: (p: TransferProgress) => void,
  ): Promise<PushResult>;
  /** Cancellable with `opCancel(op)`; recorded in the build history however it ends. */
  imageBuild(
    op: string,
    request: BuildRequest,
    onEvent: (e: BuildEvent) => void,
  ): Promise<BuildResult>;
  contextOpen(path: string): Promise<OpenedContext>;
  /** The OS folder picker; null when the user closed it. */
  contextPick(): Promise<OpenedContext | null>;
  /** Cancellable with `opCancel(op)`. */
  contextScan(
    op: string,
    contextId: string,
    dockerfile: string,
    onProgress: (p: ScanProgress) => void,
  ): Promise<ContextSummary>;
  dockerfileInfo(contextId: string, dockerfile: string): Promise<DockerfileInfo>;
  /** Newest first. */
  buildHistory(): Promise<BuildRecord[]>;
  /**
   * Streams a container's logs in batches as they cross IPC (Rust batches every ~50 ms; see
   * `LogBuffer.appendBatch`); cancel with opCancel(op). Resolves when the stream ends.
   */
  containerLogs(
    op: string,
    id: string,
    options: LogOptions,
    onBatch: (batch: LogBatch) => void,
  ): Promise<LogsEnd>;
  /** Asks where to save (OS dialog) and writes the container's whole log there from the daemon; null when the user cancelled. */
  containerLogsSave(id: string, timestamps: boolean): Promise<string | null>;
  /** False when no operation runs under that id (it already ended). */
  opCancel(op: string): Promise<boolean>;
  /** The `docker …` line behind an operation. */
  commandLine(command: DockerCommand): Promise<string>;
  /** Files dragged over or dropped on the window. */
  onDrop(cb: (e: DropEvent) => void): Promise<() => void>;
  /** What the tray asks the window to show (sent once it has shown the window). */
  onOpen(cb: (r: OpenRequest) => void): Promise<() => void>;
  /**
   * Opens a published port's `http://address:port/` (exactly that form, trailing slash
   * included) in the default browser. Throws InvalidInput (field "url") for anything else.
   */
  portOpen(url: string): Promise<void>;
  /** Says the page painted `what` ("containers", once at start: the cold-start benchmark). */
  appPainted(what: string): Promise<void>;

  // --- run a container ---
  /**
   * Validates without creating anything; the exact `docker run` line and the risky options to
   * confirm. Throws InvalidInput with `field` (e.g. "ports[2]", "volumes[0].source",
   * "env[1].key", "restart", "name", "image").
   */
  containerRunCheck(spec: RunSpec): Promise<RunCheck>;
  /** A pasted `docker run …` line → spec. Throws InvalidInput (field "line", "env" or "restart"). */
  containerRunParse(line: string): Promise<RunSpec>;
  /**
   * Creates and starts. `acceptRisks` must be true when check reported risks. Attached
   * (detach=false, tty=false) runs stream output through onOutput and resolve when the container
   * exits. Throws ImageNotLocal (offer to pull), Conflict (name in use / port in use — nothing
   * is left behind), InvalidInput. Cancellable with `opCancel(op)` (stops the container).
   */
  containerRun(
    op: string,
    spec: RunSpec,
    acceptRisks: boolean,
    onOutput: (o: RunOutput) => void,
  ): Promise<RunOutcome>;
  /** OS folder picker for a bind mount source; null when cancelled. */
  pickFolder(): Promise<string | null>;
  /** OS file picker (an env file); null when cancelled. */
  pickFile(): Promise<string | null>;

  // --- a container's terminal and files ---
  /**
   * Opens a terminal in a running container: a new process (`docker exec -it`) or the main
   * process's TTY (attach; Conflict when the container was not started with `-t`). Output arrives
   * as text through onOutput. Resolves when the process ends, or when `opCancel(op)` closes it
   * (the exec is ended, the container never). Throws Conflict when the container is not running
   * or is paused.
   */
  terminalOpen(
    op: string,
    id: string,
    target: TerminalTarget,
    cols: number,
    rows: number,
    onOutput: (text: string) => void,
  ): Promise<TerminalEnd>;
  /** Typed or pasted text for the terminal `op`. Throws NotFound when it is not open (yet). */
  terminalInput(op: string, data: string): Promise<void>;
  /** The terminal's new size in cells (1–1000 each way). Throws NotFound when it has closed. */
  terminalResize(op: string, cols: number, rows: number): Promise<void>;
  /**
   * One folder of a container (running or stopped): its direct children, folders first. A link
   * to a folder is listed as that folder. Throws NotFound (no such path), InvalidInput (field
   * "path": not absolute, a file, a link to a file).
   */
  containerFilesList(id: string, path: string): Promise<Listing>;
  /**
   * Copies a container path (file or folder; links as links) into the host folder
   * `destination`, as `destination/<name>`. Throws Conflict when that exists there unless
   * `overwrite`. Cancellable with `opCancel(op)`.
   */
  containerCopyOut(
    op: string,
    id: string,
    path: string,
    destination: string,
    overwrite: boolean,
  ): Promise<CopyReport>;
  /**
   * Copies a host file or folder into the container folder `containerDir`, as
   * `containerDir/<name>` (replacing files there). Cancellable with `opCancel(op)`.
   */
  containerCopyIn(
    op: string,
    id: string,
    hostPath: string,
    containerDir: string,
  ): Promise<CopyReport>;
}

/**
 * Turns anything thrown into `{code, message, field}`. The engine says `field: message` for an
 * `InvalidInput`; the UI shows the message next to that field, so the prefix goes.
 */
export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown; field?: unknown };
    const field = typeof o.field === "string" ? o.field : null;
    let message = String(o.message);
    if (field && message.startsWith(`${field}: `)) message = message.slice(field.length + 2);
    return { code: String(o.code), message, field };
  }
  return { code: "Other", message: e instanceof Error ? e.message : String(e), field: null };
}

export function isIpcError(e: unknown): e is IpcError {
  return !!e && typeof e === "object" && "code" in e && "message" in e;
}

let opCounter = 0;

/** A fresh id for a cancellable operation: `build-3-1732760000000`. */
export function newOpId(
  kind: "build" | "scan" | "pull" | "push" | "logs" | "exec" | "stats" | "run" | "copy",
): string {
  opCounter += 1;
  return `${kind}-${opCounter}-${Date.now()}`;
}
