// One pull at a time, with its progress: lives in the app model so it goes on while the dialog
// is closed or another page is shown.

import {
  newOpId,
  toIpcError,
  type Backend,
  type IpcError,
  type PullResult,
  type TransferProgress,
} from "../../ipc/backend";

export type PullState = "idle" | "running" | "done" | "failed" | "cancelled";

export class PullRun {
  reference = $state("");
  state = $state<PullState>("idle");
  progress = $state<TransferProgress | null>(null);
  result = $state<PullResult | null>(null);
  error = $state<IpcError | null>(null);
  private op: string | null = null;

  constructor(private readonly backend: Backend) {}

  get running(): boolean {
    return this.state === "running";
  }

  async start(reference: string = this.reference): Promise<void> {
    if (this.running) return;
    const op = newOpId("pull");
    this.op = op;
    this.reference = reference.trim();
    this.state = "running";
    this.progress = null;
    this.result = null;
    this.error = null;
    try {
      this.result = await this.backend.imagePull(op, this.reference, (p) => {
        if (this.op === op) this.progress = p;
      });
      this.state = "done";
    } catch (e) {
      const err = toIpcError(e);
      this.state = err.code === "Cancelled" ? "cancelled" : "failed";
      if (err.code !== "Cancelled") this.error = err;
    } finally {
      if (this.op === op) this.op = null;
    }
  }

  async cancel(): Promise<void> {
    if (this.op) await this.backend.opCancel(this.op);
  }

  /** Back to an empty form (not while running). */
  reset(reference = ""): void {
    if (this.running) return;
    this.reference = reference;
    this.state = "idle";
    this.progress = null;
    this.result = null;
    this.error = null;
  }
}
