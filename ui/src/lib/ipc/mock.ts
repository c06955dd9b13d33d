// An in-memory Backend for tests and for running the UI in a plain browser (`npm run dev`
// outside Tauri). It behaves like the app: lists, status and change events.

import type { Backend, Change, ContainerSummary, EngineStatus, ImageSummary } from "./backend";
import type { EngineInfo } from "./bindings";

export const sampleInfo: EngineInfo = {
  host: "unix:///var/run/docker.sock",
  source: { kind: "default" },
  serverVersion: "27.0.0",
  apiVersion: "1.46",
  os: "linux",
  arch: "amd64",
  kernelVersion: "6.1.0",
  platform: "Docker Engine - Community",
};

export class MockBackend implements Backend {
  status: EngineStatus;
  containers: ContainerSummary[] = [];
  images: ImageSummary[] = [];
  /** How many times each list was fetched. */
  calls = { containerList: 0, imageList: 0, engineReconnect: 0 };
  failWith: { code: string; message: string } | null = null;
  private statusListeners = new Set<(s: EngineStatus) => void>();
  private changeListeners = new Set<(c: Change) => void>();

  constructor(status?: EngineStatus) {
    this.status = status ?? { state: "connected", info: sampleInfo };
  }

  async engineStatus() {
    return this.status;
  }
  async engineReconnect() {
    this.calls.engineReconnect++;
  }
  async containerList(all: boolean) {
    this.calls.containerList++;
    if (this.failWith) throw { ...this.failWith, field: null };
    return this.containers.filter((c) => all || c.state === "running").map((c) => ({ ...c }));
  }
  async imageList() {
    this.calls.imageList++;
    if (this.failWith) throw { ...this.failWith, field: null };
    return this.images.map((i) => ({ ...i }));
  }
  async onEngineStatus(cb: (s: EngineStatus) => void) {
    this.statusListeners.add(cb);
    return () => this.statusListeners.delete(cb);
  }
  async onEngineChanged(cb: (c: Change) => void) {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  setStatus(s: EngineStatus) {
    this.status = s;
    for (const cb of this.statusListeners) cb(s);
  }
  emitChange(c: Partial<Change> & Pick<Change, "scope" | "action" | "id">) {
    const full: Change = { name: null, exitCode: null, timeNano: Date.now() * 1e6, ...c };
    for (const cb of this.changeListeners) cb(full);
  }
}

export function container(over: Partial<ContainerSummary> & { name: string }): ContainerSummary {
  return {
    id: over.id ?? over.name.padEnd(64, "0"),
    image: "busybox:latest",
    imageId: "sha256:1",
    command: "sh",
    state: "running",
    status: "Up 2 minutes",
    ports: [],
    created: Math.floor(Date.now() / 1000) - 120,
    composeProject: null,
    ...over,
  };
}

export function image(over: Partial<ImageSummary> & { id: string }): ImageSummary {
  return {
    repoTags: [],
    repoDigests: [],
    size: 1_000_000,
    created: Math.floor(Date.now() / 1000) - 3600,
    containers: 0,
    ...over,
  };
}
