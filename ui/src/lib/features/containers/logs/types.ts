// The logs contract, generated from the Rust types (see ipc/bindings.ts).
export type { LogStream, LogLine, LogOptions, LogsEnd, LogsEndReason } from "../../../ipc/bindings";
