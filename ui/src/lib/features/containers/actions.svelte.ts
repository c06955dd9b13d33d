// Container actions as they run: which containers are busy, and each run until it ends (or, when
// some containers failed, until the user dismisses the failures).

import { SvelteSet } from "svelte/reactivity";
import { toIpcError, type Backend, type IpcError } from "../../ipc/backend";
import { reportText, type ActionKind } from "./status";
import type { ActionReport, ContainerAction } from "./types";

export type Target = { id: string; name: string };

export type ActionRun = {
  seq: number;
  action: ContainerAction;
  targets: Target[];
  running: boolean;
  report: ActionReport | null;
  /** The whole call failed (the engine went away). */
  error: IpcError | null;
};

/** Runs kept on screen: the ones going, then the failed ones, newest first. */
const KEEP_FAILED = 3;

export class ActionRunner {
  runs = $state<ActionRun[]>([]);
  /** Containers an action runs on now. */
  readonly busy = new SvelteSet<string>();
  private seq = 0;

  constructor(
    private readonly backend: () => Backend,
    private readonly notify: (text: string, tone?: "info" | "error") => void,
  ) {}

  /**
   * Runs the action on the targets; a run that fully succeeds says so in a notice and goes,
   * one with failures stays (with each failure) until dismissed.
   */
  async run(targets: Target[], action: ContainerAction): Promise<ActionReport | null> {
    if (targets.length === 0) return null;
    const run = $state<ActionRun>({
      seq: ++this.seq,
      action,
      targets,
      running: true,
      report: null,
      error: null,
    });
    this.runs = [run, ...this.runs];
    for (const t of targets) this.busy.add(t.id);
    try {
      run.report = await this.backend().containerAction(
        targets.map((t) => t.id),
        action,
      );
    } catch (e) {
      run.error = toIpcError(e);
    } finally {
      run.running = false;
      for (const t of targets) this.busy.delete(t.id);
    }
    const kind: ActionKind = action.kind;
    if (run.report && run.report.failed.length === 0) {
      this.runs = this.runs.filter((r) => r.seq !== run.seq);
      this.notify(reportText(kind, run.report, (id) => nameIn(targets, id)));
    } else {
      const drop = this.runs
        .filter((r) => !r.running)
        .slice(KEEP_FAILED)
        .map((r) => r.seq);
      this.runs = this.runs.filter((r) => !drop.includes(r.seq));
    }
    return run.report;
  }

  dismiss(seq: number): void {
    this.runs = this.runs.filter((r) => r.seq !== seq || r.running);
  }
}

export function nameIn(targets: Target[], id: string): string {
  return targets.find((t) => t.id === id)?.name ?? id.slice(0, 12);
}
