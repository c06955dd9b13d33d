// The app's live model: engine status and the containers and images lists, kept current by the
// backend's events (never by polling).

import type { Backend, Change, ContainerSummary, EngineStatus, ImageSummary } from "../ipc/backend";
import { LiveList } from "./live-list.svelte";

export class AppModel {
  status = $state<EngineStatus>({ state: "connecting", host: null });
  /** Containers list shows stopped ones too. */
  showAll = $state(true);
  readonly containers: LiveList<ContainerSummary>;
  readonly images: LiveList<ImageSummary>;

  constructor(readonly backend: Backend) {
    this.containers = new LiveList(() => backend.containerList(this.showAll));
    this.images = new LiveList(() => backend.imageList());
  }

  /** Subscribes to the backend and loads the first state. Returns the unsubscribe. */
  async start(): Promise<() => void> {
    const offStatus = await this.backend.onEngineStatus((s) => this.applyStatus(s));
    const offChange = await this.backend.onEngineChanged((c) => this.applyChange(c));
    this.applyStatus(await this.backend.engineStatus());
    return () => {
      offStatus();
      offChange();
    };
  }

  applyStatus(s: EngineStatus): void {
    this.status = s;
    if (s.state === "connected") {
      // After every (re)connect, re-list: the daemon keeps few events.
      void this.containers.refresh();
      void this.images.refresh();
    } else {
      this.containers.reset();
      this.images.reset();
    }
  }

  applyChange(c: Change): void {
    if (c.scope === "container") this.containers.schedule();
    else if (c.scope === "image") this.images.schedule();
  }

  setShowAll(all: boolean): void {
    if (this.showAll === all) return;
    this.showAll = all;
    void this.containers.refresh();
  }

  reconnect(): Promise<void> {
    return this.backend.engineReconnect();
  }
}
