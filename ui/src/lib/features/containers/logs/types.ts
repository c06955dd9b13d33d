// The logs contract with the Rust side. These shapes are fixed: this file will become
// re-exports from the generated bindings (`../../../ipc/bindings`), with the same names.

export type LogStream = "stdout" | "stderr";
/** One log line, whole: lines the daemon split at 16 KiB are joined by Rust before they get here. */
export type LogLine = {
  stream: LogStream;
  /** RFC 3339 with nanoseconds, from the daemon */ timestamp: string | null;
  text: string;
};
export type LogOptions = {
  /** lines from the end to load first; null = all */ tail: number | null;
  follow: boolean;
};
export type LogsEnd = {
  reason: "stopped" | "cancelled" | "daemonLost" | "removed";
  /** lines Rust had to drop because the UI fell behind (never silently) */ skipped: number;
};
