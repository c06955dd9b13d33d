// The `docker run` contract, generated from the Rust types (see ipc/bindings.ts).
export type {
  KeyValue,
  VolumeSpec,
  RestartPolicy,
  RunSpec,
  Risk,
  RunCheck,
  RunOutcome,
} from "../../ipc/bindings";
import type { LogLine } from "../../ipc/bindings";

/** A batch of an attached run's output. */
export type RunOutput = { lines: LogLine[] };
