// The Backend over Tauri IPC, through the generated bindings.

import { listen } from "@tauri-apps/api/event";
import { commands, EVENT_CHANGED, EVENT_STATUS } from "./bindings";
import type { Backend, Change, EngineStatus } from "./backend";

type Res<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

function unwrap<T, E>(r: Res<T, E>): T {
  if (r.status === "ok") return r.data;
  throw r.error;
}

export const tauriBackend: Backend = {
  engineStatus: () => commands.engineStatus(),
  engineReconnect: () => commands.engineReconnect(),
  containerList: async (all) => unwrap(await commands.containerList(all)),
  imageList: async () => unwrap(await commands.imageList()),
  onEngineStatus: (cb) => listen<EngineStatus>(EVENT_STATUS, (e) => cb(e.payload)),
  onEngineChanged: (cb) => listen<Change>(EVENT_CHANGED, (e) => cb(e.payload)),
};
