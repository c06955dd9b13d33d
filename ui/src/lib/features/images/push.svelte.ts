// The push in progress (see TransferRun), and the login it may need.

import type { Backend, PushResult } from "../../ipc/backend";
import { TransferRun, type TransferState } from "../../components/transfer-run.svelte";
import { registryOf } from "../../registry";

export type PushState = TransferState;

export class PushRun extends TransferRun<PushResult> {
  constructor(backend: Backend) {
    super(backend, "push", (b, op, reference, onProgress) =>
      b.imagePush(op, reference, onProgress),
    );
  }

  /** The tag being (or last) pushed. */
  get pushed(): string {
    return this.target;
  }

  /** The registry that refused the credentials, when the push ended with `Unauthorized`. */
  get loginNeeded(): string | null {
    return this.state === "failed" && this.error?.code === "Unauthorized"
      ? registryOf(this.pushed)
      : null;
  }
}
