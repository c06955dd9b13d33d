// The Backend over Tauri IPC, through the generated bindings.

import { Channel } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { commands, EVENT_CHANGED, EVENT_DROP, EVENT_OPEN, EVENT_STATUS } from "./bindings";
import {
  fullOptions,
  type Backend,
  type Change,
  type DropEvent,
  type EngineStatus,
  type OpenRequest,
} from "./backend";

type Res<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

function unwrap<T, E>(r: Res<T, E>): T {
  if (r.status === "ok") return r.data;
  throw r.error;
}

function channel<T>(cb: (m: T) => void): Channel<T> {
  const ch = new Channel<T>();
  ch.onmessage = cb;
  return ch;
}

export const tauriBackend: Backend = {
  settingsGet: () => commands.settingsGet(),
  settingsSet: async (settings, base) => unwrap(await commands.settingsSet(settings, base ?? null)),
  engineStatus: () => commands.engineStatus(),
  engineReconnect: () => commands.engineReconnect(),
  containerList: async (all) => unwrap(await commands.containerList(all)),
  containerAction: async (ids, action) => unwrap(await commands.containerAction(ids, action)),
  containerRename: async (id, name) => {
    unwrap(await commands.containerRename(id, name));
  },
  containerPrune: async () => unwrap(await commands.containerPrune()),
  containerInspect: async (id) => unwrap(await commands.containerInspect(id)),
  containerStats: async (op, ids, onSamples) => {
    unwrap(await commands.containerStats(op, ids, channel(onSamples)));
  },
  containerCommit: async (id, reference, message, author) =>
    unwrap(await commands.containerCommit(id, reference, message, author)),
  imageList: async () => unwrap(await commands.imageList()),
  onEngineStatus: (cb) => listen<EngineStatus>(EVENT_STATUS, (e) => cb(e.payload)),
  onEngineChanged: (cb) => listen<Change>(EVENT_CHANGED, (e) => cb(e.payload)),

  imageInspect: async (reference) => unwrap(await commands.imageInspect(reference)),
  imageHistory: async (reference) => unwrap(await commands.imageHistory(reference)),
  imageRemove: async (reference, force) => unwrap(await commands.imageRemove(reference, force)),
  imagePrune: async (all) => unwrap(await commands.imagePrune(all)),
  imageSearch: async (term, limit) => unwrap(await commands.imageSearch(term, limit)),
  imageTag: async (source, target) => unwrap(await commands.imageTag(source, target)),
  imagePull: async (op, reference, onProgress) =>
    unwrap(await commands.imagePull(op, reference, channel(onProgress))),
  registryList: async () => unwrap(await commands.registryList()),
  registryLogin: async (registry, username, password) =>
    unwrap(await commands.registryLogin(registry, username, password)),
  registryLogout: async (registry) => {
    unwrap(await commands.registryLogout(registry));
  },
  imagePush: async (op, reference, onProgress) =>
    unwrap(await commands.imagePush(op, reference, channel(onProgress))),
  imageBuild: async (op, request, onEvent) =>
    unwrap(await commands.imageBuild(op, request, channel(onEvent))),
  contextOpen: async (path) => unwrap(await commands.contextOpen(path)),
  contextPick: async () => unwrap(await commands.contextPick()),
  contextScan: async (op, contextId, dockerfile, onProgress) =>
    unwrap(await commands.contextScan(op, contextId, dockerfile, channel(onProgress))),
  dockerfileInfo: async (contextId, dockerfile) =>
    unwrap(await commands.dockerfileInfo(contextId, dockerfile)),
  buildHistory: async () =>
    (await commands.buildHistory()).map((r) => ({ ...r, options: fullOptions(r.options) })),
  opCancel: (op) => commands.opCancel(op),
  containerLogs: async (op, id, options, onBatch) =>
    unwrap(await commands.containerLogs(op, id, options, channel(onBatch))),
  containerLogsSave: async (id, timestamps) =>
    unwrap(await commands.containerLogsSave(id, timestamps)),
  commandLine: async (command) => unwrap(await commands.commandLine(command)),
  onDrop: (cb) => listen<DropEvent>(EVENT_DROP, (e) => cb(e.payload)),
  onOpen: (cb) => listen<OpenRequest>(EVENT_OPEN, (e) => cb(e.payload)),
  portOpen: async (url) => {
    unwrap(await commands.portOpen(url));
  },
  appPainted: (what) => commands.appPainted(what),

  containerRunCheck: async (spec) => unwrap(await commands.containerRunCheck(spec)),
  containerRunParse: async (line) => unwrap(await commands.containerRunParse(line)),
  containerRun: async (op, spec, acceptRisks, onOutput) =>
    unwrap(
      await commands.containerRun(
        op,
        spec,
        acceptRisks,
        channel((lines) => onOutput({ lines })),
      ),
    ),
  pickFolder: async () => unwrap(await commands.pickFolder("Choose a folder")),
  pickFile: async () => unwrap(await commands.pickFile("Choose a file")),
  terminalOpen: async (op, id, target, cols, rows, onOutput) =>
    unwrap(await commands.terminalOpen(op, id, target, cols, rows, channel(onOutput))),
  terminalInput: async (op, data) => {
    unwrap(await commands.terminalInput(op, data));
  },
  terminalResize: async (op, cols, rows) => {
    unwrap(await commands.terminalResize(op, cols, rows));
  },
  containerFilesList: async (id, path) => unwrap(await commands.containerFilesList(id, path)),
  containerCopyOut: async (op, id, path, destination, overwrite) =>
    unwrap(await commands.containerCopyOut(op, id, path, destination, overwrite)),
  containerCopyIn: async (op, id, hostPath, containerDir) =>
    unwrap(await commands.containerCopyIn(op, id, hostPath, containerDir)),
};
