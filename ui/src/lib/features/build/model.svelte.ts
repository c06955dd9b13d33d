// The Build page's state and logic: the opened folder, the form, the Dockerfile's args and
// stages, the context scan, the running build and its output, the history. Components bind to it
// and call its methods; it talks to the app only through the `Backend`.

import {
  newOpId,
  toIpcError,
  type Backend,
  type BuildEvent,
  type BuildOptions,
  type BuildRecord,
  type BuildResult,
  type ContextRef,
  type ContextSummary,
  type DockerCommand,
  type DockerfileInfo,
  type IpcError,
  type ScanProgress,
  type TransferProgress,
} from "../../ipc/backend";
import { TermOutput } from "../../term-output.svelte";
import {
  argsFromInfo,
  dockerfileOf,
  emptyForm,
  formFromOptions,
  namedStages,
  optionsFromForm,
  type BuildForm,
} from "./form";

export type ScanState =
  | { state: "idle" }
  | { state: "running"; op: string; progress: ScanProgress | null }
  | { state: "done"; summary: ContextSummary }
  | { state: "failed"; error: IpcError }
  | { state: "cancelled" };

export type RunState =
  | { state: "idle" }
  | { state: "running"; op: string; startedAt: number; cancelling: boolean }
  | { state: "succeeded"; result: BuildResult }
  | { state: "failed"; error: IpcError }
  | { state: "cancelled" };

export type BuildTab = "context" | "output" | "history";

/** How long the form waits for typing to stop before re-reading a changed Dockerfile. */
export const SYNC_DEBOUNCE_MS = 350;

export class BuildModel {
  context = $state<ContextRef | null>(null);
  /** The path field. */
  path = $state("");
  opening = $state(false);
  openError = $state<IpcError | null>(null);
  form = $state<BuildForm>(emptyForm([]));
  info = $state<DockerfileInfo | null>(null);
  scan = $state<ScanState>({ state: "idle" });
  run = $state<RunState>({ state: "idle" });
  /** Context upload of the current build. */
  upload = $state<{ sent: number; total: number } | null>(null);
  /** Base image pull of the current build. */
  pull = $state<TransferProgress | null>(null);
  warnings = $state<string[]>([]);
  /** The build's log. */
  readonly output = new TermOutput();
  /** `InvalidInput` messages by field (`tags`, `dockerfile`, `target`, `buildArgs`, …). */
  fieldErrors = $state<Record<string, string>>({});
  history = $state<BuildRecord[]>([]);
  historyError = $state<IpcError | null>(null);
  tab = $state<BuildTab>("context");

  readonly options: BuildOptions = $derived(optionsFromForm(this.form));
  readonly dockerfile: string = $derived(dockerfileOf(this.form));
  readonly stages: string[] = $derived(namedStages(this.info));
  readonly running: boolean = $derived(this.run.state === "running");
  readonly command: DockerCommand | null = $derived(
    this.context ? { op: "build", contextId: this.context.id, options: this.options } : null,
  );

  private syncTimer: ReturnType<typeof setTimeout> | null = null;
  /** `contextId\0dockerfile` the info and scan were last loaded for. */
  private loadedFor = "";
  private infoSeq = 0;

  constructor(private readonly backend: Backend) {}

  /** Opens the folder (or Dockerfile) typed in the path field. */
  async openPath(path: string = this.path): Promise<boolean> {
    this.opening = true;
    this.openError = null;
    try {
      const opened = await this.backend.contextOpen(path);
      return this.setContext(opened.context, opened.dockerfile);
    } catch (e) {
      this.openError = toIpcError(e);
      return false;
    } finally {
      this.opening = false;
    }
  }

  /** The OS folder picker. */
  async pick(): Promise<boolean> {
    this.openError = null;
    try {
      const opened = await this.backend.contextPick();
      return opened ? this.setContext(opened.context, opened.dockerfile) : false;
    } catch (e) {
      this.openError = toIpcError(e);
      return false;
    }
  }

  /**
   * Shows a folder in the form (fresh, or holding `options`). Refused (false) while a build runs:
   * its output would no longer match the form.
   */
  setContext(
    context: ContextRef,
    dockerfile: string | null = null,
    options: BuildOptions | null = null,
  ): boolean {
    if (this.running) return false;
    this.context = context;
    this.path = context.display;
    this.openError = null;
    this.form = options
      ? formFromOptions(options, context.dockerfiles)
      : emptyForm(context.dockerfiles, dockerfile);
    this.fieldErrors = {};
    this.info = null;
    this.run = { state: "idle" };
    this.clearOutput();
    this.tab = "context";
    this.loadedFor = "";
    void this.reload();
    return true;
  }

  /**
   * Call after the form changed: when it now names another Dockerfile, its args and stages and
   * the context summary are loaded again (after typing stops). Returns whether a reload is due.
   */
  sync(debounceMs = SYNC_DEBOUNCE_MS): boolean {
    if (!this.context || this.key() === this.loadedFor) return false;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      void this.reload();
    }, debounceMs);
    return true;
  }

  private key(): string {
    return this.context ? `${this.context.id}\u0000${this.dockerfile}` : "";
  }

  /** Loads the Dockerfile's args and stages and scans the context, now. */
  async reload(): Promise<void> {
    if (!this.context) return;
    this.loadedFor = this.key();
    delete this.fieldErrors.dockerfile;
    await Promise.all([this.loadInfo(), this.rescan()]);
  }

  private async loadInfo(): Promise<void> {
    const ctx = this.context;
    if (!ctx) return;
    const seq = ++this.infoSeq;
    const dockerfile = this.dockerfile;
    try {
      const info = await this.backend.dockerfileInfo(ctx.id, dockerfile);
      if (seq !== this.infoSeq) return;
      this.info = info;
      this.form.args = argsFromInfo(this.form.args, info);
      if (this.form.target && !namedStages(info).includes(this.form.target)) {
        // A stage of another Dockerfile (a history entry's, say): keep it visible as an error.
        this.fieldErrors.target = `This Dockerfile has no stage “${this.form.target}”.`;
      } else delete this.fieldErrors.target;
    } catch (e) {
      if (seq !== this.infoSeq) return;
      this.info = null;
      const err = toIpcError(e);
      this.fieldErrors[err.field ?? "dockerfile"] = err.message;
    }
  }

  /** Walks the context as a build would (cancelling a scan still running). */
  async rescan(): Promise<void> {
    const ctx = this.context;
    if (!ctx) return;
    if (this.scan.state === "running") void this.backend.opCancel(this.scan.op);
    const op = newOpId("scan");
    this.scan = { state: "running", op, progress: null };
    const current = () => this.scan.state === "running" && this.scan.op === op;
    try {
      const summary = await this.backend.contextScan(op, ctx.id, this.dockerfile, (p) => {
        if (current()) this.scan = { state: "running", op, progress: p };
      });
      if (current()) this.scan = { state: "done", summary };
    } catch (e) {
      if (!current()) return;
      const err = toIpcError(e);
      if (err.code === "Cancelled") this.scan = { state: "cancelled" };
      else {
        this.scan = { state: "failed", error: err };
        if (err.field) this.fieldErrors[err.field] = err.message;
      }
    }
  }

  cancelScan(): void {
    if (this.scan.state === "running") {
      void this.backend.opCancel(this.scan.op);
      this.scan = { state: "cancelled" };
    }
  }

  /** Builds with the form's options (or the given ones: a rebuild). */
  async start(options: BuildOptions = this.options): Promise<void> {
    const ctx = this.context;
    if (!ctx || this.running) return;
    const op = newOpId("build");
    const expected = this.scan.state === "done" ? this.scan.summary.tarBytes : null;
    this.fieldErrors = {};
    this.clearOutput();
    this.run = { state: "running", op, startedAt: Date.now(), cancelling: false };
    this.tab = "output";
    try {
      const result = await this.backend.imageBuild(
        op,
        {
          contextId: ctx.id,
          options: $state.snapshot(options) as BuildOptions,
          expectedBytes: expected,
        },
        (ev) => this.onEvent(ev),
      );
      this.run = { state: "succeeded", result };
    } catch (e) {
      const err = toIpcError(e);
      if (err.code === "Cancelled") this.run = { state: "cancelled" };
      else {
        this.run = { state: "failed", error: err };
        if (err.code === "InvalidInput" && err.field) this.fieldErrors[err.field] = err.message;
        // The folder is gone from the app's list (restarted): say it on the path field too.
        if (err.field === "context") this.openError = err;
      }
    } finally {
      this.output.end();
      this.output.flush();
      await this.loadHistory();
    }
  }

  /** Asks the running build to stop; it ends as cancelled. */
  async cancel(): Promise<void> {
    if (this.run.state !== "running") return;
    this.run = { ...this.run, cancelling: true };
    await this.backend.opCancel(this.run.op);
  }

  onEvent(ev: BuildEvent): void {
    switch (ev.kind) {
      case "context":
        this.upload = { sent: ev.sent, total: ev.total };
        break;
      case "output":
        this.output.write(ev.text);
        break;
      case "pull":
        this.pull = ev.progress;
        break;
      case "warning":
        if (!this.warnings.includes(ev.message)) this.warnings.push(ev.message);
        break;
    }
  }

  private clearOutput(): void {
    this.output.clear();
    this.upload = null;
    this.pull = null;
    this.warnings = [];
  }

  async loadHistory(): Promise<void> {
    try {
      this.history = await this.backend.buildHistory();
      this.historyError = null;
    } catch (e) {
      this.historyError = toIpcError(e);
    }
  }

  /** Loads a past build into the form (its folder is opened again by path). */
  async edit(record: BuildRecord): Promise<boolean> {
    if (this.running) return false;
    this.openError = null;
    try {
      const opened = await this.backend.contextOpen(record.context.display);
      return this.setContext(opened.context, null, record.options);
    } catch (e) {
      this.openError = toIpcError(e);
      this.path = record.context.display;
      return false;
    }
  }

  /** Runs a past build again, with exactly its options. */
  async rebuild(record: BuildRecord): Promise<void> {
    if (await this.edit(record)) await this.start(record.options);
  }

  /** The form's field error for `field`, if any. */
  error(field: string): string | undefined {
    return this.fieldErrors[field];
  }

  dispose(): void {
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.output.dispose();
  }
}
