// One push at a time, with its progress: lives in the app model so it goes on while the dialog
// is closed or another page is shown.

import {
  newOpId,
  toIpcError,
  type Backend,
  type IpcError,
  type PushResult,
  type TransferProgress,
} from "../../ipc/backend";
import { registryOf } from "../../registry";

export type PushState = "idle" | "running" | "done" | "failed" | "cancelled";

export class PushRun {
  /** The tag chosen in the dialog (what `start()` pushes). */
  reference = $state("");
  state = $state<PushState>("idle");
  progress = $state<TransferProgress | null>(null);
  result = $state<PushResult | null>(null);
  error = $state<IpcError | null>(null);
  /** The tag being (or last) pushed: what the progress and result are about. */
  pushed = $state("");
  private op: string | null = null;

  constructor(private readonly backend: Backend) {}

  get running(): boolean {
    return this.state === "running";
  }

  /** The registry that refused the credentials, when the push ended with `Unauthorized`. */
  get loginNeeded(): string | null {
    return this.state === "failed" && this.error?.code === "Unauthorized"
      ? registryOf(this.pushed)
      : null;
  }

  async start(reference: string = this.reference): Promise<void> {
    if (this.running) return;
    const op = newOpId("push");
    this.op = op;
    this.reference = reference.trim();
    this.pushed = this.reference;
    this.state = "running";
    this.progress = null;
    this.result = null;
    this.error = null;
    try {
      this.result = await this.backend.imagePush(op, this.reference, (p) => {
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

  /** Back to a fresh dialog for `reference` (not while running). */
  reset(reference = ""): void {
    if (this.running) return;
    this.reference = reference;
    this.pushed = "";
    this.state = "idle";
    this.progress = null;
    this.result = null;
    this.error = null;
  }
}
