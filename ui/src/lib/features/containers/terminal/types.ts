// The terminal contract, generated from the Rust types (see ipc/bindings.ts).
export type { TerminalEnd, TerminalTarget } from "../../../ipc/bindings";
