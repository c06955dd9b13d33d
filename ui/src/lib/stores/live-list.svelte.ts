// A list that mirrors the engine: loaded on connect, refreshed after each relevant change.
// Changes arrive in bursts (a compose up, a prune); refreshes are debounced and never overlap,
// and a refresh replaces the whole list, so a row can never appear twice.

import { toIpcError, type IpcError } from "../ipc/backend";

export const REFRESH_DEBOUNCE_MS = 60;

export class LiveList<T> {
  items = $state<T[]>([]);
  /** True until the first load after a (re)connect finishes. */
  loading = $state(true);
  error = $state<IpcError | null>(null);

  private inflight: Promise<void> | null = null;
  private again = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly load: () => Promise<T[]>) {}

  /** Loads now; if a load is running, runs once more after it. */
  refresh(): Promise<void> {
    if (this.inflight) {
      this.again = true;
      return this.inflight;
    }
    this.inflight = (async () => {
      do {
        this.again = false;
        try {
          const items = await this.load();
          this.items = items;
          this.error = null;
        } catch (e) {
          this.error = toIpcError(e);
        }
      } while (this.again);
      this.loading = false;
      this.inflight = null;
    })();
    return this.inflight;
  }

  /** Refreshes soon, folding a burst of changes into one load. */
  schedule(delay = REFRESH_DEBOUNCE_MS): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, delay);
  }

  /** Forgets the items (engine gone): the page shows why instead of stale rows. */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.items = [];
    this.loading = true;
    this.error = null;
  }
}
