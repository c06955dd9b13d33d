// The one door from the UI to the app. Components and stores take a `Backend`; the app passes
// the Tauri one, tests a mock.

import type { Change, ContainerSummary, EngineStatus, ImageSummary, IpcError } from "./bindings";

export type { Change, ContainerSummary, EngineStatus, ImageSummary, IpcError };

export interface Backend {
  engineStatus(): Promise<EngineStatus>;
  engineReconnect(): Promise<void>;
  /** Throws an `IpcError`. */
  containerList(all: boolean): Promise<ContainerSummary[]>;
  /** Throws an `IpcError`. */
  imageList(): Promise<ImageSummary[]>;
  onEngineStatus(cb: (s: EngineStatus) => void): Promise<() => void>;
  onEngineChanged(cb: (c: Change) => void): Promise<() => void>;
}

/** Turns anything thrown into `{code, message}`. */
export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === "object" && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown; field?: unknown };
    return {
      code: String(o.code),
      message: String(o.message),
      field: typeof o.field === "string" ? o.field : null,
    };
  }
  return { code: "Other", message: e instanceof Error ? e.message : String(e), field: null };
}

export function isIpcError(e: unknown): e is IpcError {
  return !!e && typeof e === "object" && "code" in e && "message" in e;
}
