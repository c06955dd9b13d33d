// One pull or push at a time, with its progress: lives in the app model so it goes on while the
// dialog is closed or another page is shown.

import {
  newOpId,
  toIpcError,
  type Backend,
  type IpcError,
  type TransferProgress,
} from "../ipc/backend";

export type TransferState = "idle" | "running" | "done" | "failed" | "cancelled";

type Transfer<R> = (
  backend: Backend,
  op: string,
  reference: string,
  onProgress: (p: TransferProgress) => void,
) => Promise<R>;

export class TransferRun<R> {
  /** The reference in the dialog (what `start()` transfers). */
  reference = $state("");
  state = $state<TransferState>("idle");
  progress = $state<TransferProgress | null>(null);
  result = $state<R | null>(null);
  error = $state<IpcError | null>(null);
  /** The reference being (or last) transferred: what the progress and result are about. */
  target = $state("");
  private op: string | null = null;

  constructor(
    protected readonly backend: Backend,
    private readonly kind: "pull" | "push",
    private readonly transfer: Transfer<R>,
  ) {}

  get running(): boolean {
    return this.state === "running";
  }

  async start(reference: string = this.reference): Promise<void> {
    if (this.running) return;
    const op = newOpId(this.kind);
    this.op = op;
    this.reference = reference.trim();
    this.target = this.reference;
    this.state = "running";
    this.progress = null;
    this.result = null;
    this.error = null;
    try {
      this.result = await this.transfer(this.backend, op, this.reference, (p) => {
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
    this.target = "";
    this.state = "idle";
    this.progress = null;
    this.result = null;
    this.error = null;
  }
}
