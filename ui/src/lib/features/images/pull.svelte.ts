// The pull in progress (see TransferRun).

import type { Backend, PullResult } from "../../ipc/backend";
import { TransferRun, type TransferState } from "../../components/transfer-run.svelte";

export type PullState = TransferState;

export class PullRun extends TransferRun<PullResult> {
  constructor(backend: Backend) {
    super(backend, "pull", (b, op, reference, onProgress) =>
      b.imagePull(op, reference, onProgress),
    );
  }
}
