// The container files contract, generated from the Rust types (see ipc/bindings.ts).
export type { CopyReport, FileEntry, FileKind, Listing } from "../../../ipc/bindings";
