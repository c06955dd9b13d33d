// A container's files as the Files tab sees them: the folder shown, moving around, and copies
// out (to a host folder picked by the user; a name already there is replaced only once the user
// confirms) and in (a host file or folder, picked or dropped on the window, into the folder
// shown, which is then listed again).

import {
  newOpId,
  toIpcError,
  type Backend,
  type DockerCommand,
  type IpcError,
} from "../../../ipc/backend";
import { baseName, parentPath, sortEntries } from "./paths";
import type { CopyReport, FileEntry, Listing } from "./types";

export type CopyResult = {
  direction: "out" | "in";
  /** What was copied (its base name, or "3 items"). */
  name: string;
  /** Summed over the copies of a drop of several paths. */
  report: CopyReport;
  /** The equivalent `docker cp` lines, one per copy. */
  commands: DockerCommand[];
};

/** A copy out found its name already at the destination. */
export type ReplaceQuestion = { entry: FileEntry; destination: string; message: string };

export class FilesBrowser {
  listing = $state<Listing | null>(null);
  loading = $state(false);
  /** Why the last listing failed (the previous one stays shown). */
  error = $state<IpcError | null>(null);
  /** The copy under way. */
  copying = $state<{ op: string; label: string } | null>(null);
  copyError = $state<IpcError | null>(null);
  replace = $state<ReplaceQuestion | null>(null);
  result = $state<CopyResult | null>(null);
  /** For the `docker cp` lines; follows renames. */
  containerName = $state("");

  readonly path = $derived(this.listing?.path ?? "/");

  private seq = 0;

  constructor(
    private readonly backend: Backend,
    private readonly containerId: string,
    containerName: string,
  ) {
    this.containerName = containerName;
  }

  /** Lists `path`; true when it was. On failure the folder shown stays, with `error`. */
  async open(path: string): Promise<boolean> {
    const mine = ++this.seq;
    this.loading = true;
    try {
      const l = await this.backend.containerFilesList(this.containerId, path);
      if (mine !== this.seq) return false;
      this.listing = { ...l, entries: sortEntries(l.entries) };
      this.error = null;
      return true;
    } catch (e) {
      if (mine === this.seq) this.error = toIpcError(e);
      return false;
    } finally {
      if (mine === this.seq) this.loading = false;
    }
  }

  refresh(): Promise<boolean> {
    return this.open(this.path);
  }

  up(): Promise<boolean> {
    return this.open(parentPath(this.path));
  }

  private startCopy(): boolean {
    if (this.copying) return false;
    this.copyError = null;
    this.replace = null;
    return true;
  }

  /** Asks for a host folder, then copies `entry` into it. */
  async copyOut(entry: FileEntry): Promise<void> {
    if (!this.startCopy()) return;
    let destination: string | null;
    try {
      destination = await this.backend.pickFolder();
    } catch (e) {
      this.copyError = toIpcError(e);
      return;
    }
    if (destination) await this.runCopyOut(entry, destination, false);
  }

  /** The user said to replace what is there. */
  async confirmReplace(): Promise<void> {
    const q = this.replace;
    if (!q || this.copying) return;
    this.replace = null;
    await this.runCopyOut(q.entry, q.destination, true);
  }

  cancelReplace(): void {
    this.replace = null;
  }

  private async runCopyOut(entry: FileEntry, destination: string, overwrite: boolean) {
    const op = newOpId("copy");
    this.copying = { op, label: `Copying ${entry.name} to ${destination}…` };
    try {
      const report = await this.backend.containerCopyOut(
        op,
        this.containerId,
        entry.path,
        destination,
        overwrite,
      );
      this.result = {
        direction: "out",
        name: entry.name,
        report,
        commands: [{ op: "cp", from: `${this.containerName}:${entry.path}`, to: destination }],
      };
    } catch (e) {
      const err = toIpcError(e);
      if (err.code === "Conflict" && !overwrite)
        this.replace = { entry, destination, message: err.message };
      else this.copyError = err;
    } finally {
      this.copying = null;
    }
  }

  /** Asks for a host file or folder, copies it into the folder shown, then lists it again. */
  async copyIn(kind: "file" | "folder"): Promise<void> {
    if (!this.startCopy()) return;
    const dir = this.path;
    let hostPath: string | null;
    try {
      hostPath = kind === "file" ? await this.backend.pickFile() : await this.backend.pickFolder();
    } catch (e) {
      this.copyError = toIpcError(e);
      return;
    }
    if (!hostPath) return;
    await this.copyInAll([hostPath], dir);
  }

  /**
   * Copies host files and folders (dropped on the window) into the folder shown, one after the
   * other, then lists it again. A copy under way is not interrupted: the drop is refused.
   */
  async copyInPaths(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    if (this.copying) {
      this.copyError = {
        code: "Conflict",
        message: "A copy is under way: drop again once it has ended.",
        field: null,
      };
      return;
    }
    this.startCopy();
    await this.copyInAll(paths, this.path);
  }

  /** Each path in turn into `dir`, until one fails or is cancelled; one report for them all. */
  private async copyInAll(paths: string[], dir: string): Promise<void> {
    const done: { name: string; report: CopyReport; command: DockerCommand }[] = [];
    for (const [i, hostPath] of paths.entries()) {
      const op = newOpId("copy");
      const name = baseName(hostPath);
      const of = paths.length > 1 ? ` (${i + 1} of ${paths.length})` : "";
      this.copying = { op, label: `Copying ${name}${of} into ${dir}…` };
      try {
        const report = await this.backend.containerCopyIn(op, this.containerId, hostPath, dir);
        done.push({
          name,
          report,
          command: { op: "cp", from: hostPath, to: `${this.containerName}:${dir}` },
        });
      } catch (e) {
        this.copyError = toIpcError(e);
        break;
      } finally {
        this.copying = null;
      }
    }
    if (done.length === 0) return;
    this.result = {
      direction: "in",
      name: done.length === 1 ? done[0]!.name : `${done.length} items`,
      report:
        done.length === 1
          ? done[0]!.report
          : sumReports(
              done.map((d) => d.report),
              dir,
            ),
      commands: done.map((d) => d.command),
    };
    if (this.path === dir) await this.refresh();
  }

  /** Stops the copy under way (what was written so far stays). */
  cancelCopy(): void {
    if (this.copying) void this.backend.opCancel(this.copying.op).catch(() => false);
  }

  dismissResult(): void {
    this.result = null;
  }
}

/** The copies of one drop as one report, landed in `target`. */
function sumReports(reports: CopyReport[], target: string): CopyReport {
  return {
    files: reports.reduce((n, r) => n + r.files, 0),
    dirs: reports.reduce((n, r) => n + r.dirs, 0),
    links: reports.reduce((n, r) => n + r.links, 0),
    bytes: reports.reduce((n, r) => n + r.bytes, 0),
    skipped: reports.flatMap((r) => r.skipped),
    target,
  };
}
