// The app's live model: engine status and the containers and images lists, kept current by the
// backend's events (never by polling); the page shown, files dragged onto the window, the
// long-lived build, pull and push (they go on while another page is shown), and the registries
// Docker has credentials for.

import type {
  Backend,
  Change,
  ContainerSummary,
  DropEvent,
  EngineStatus,
  ImageSummary,
  LoggedIn,
  OpenRequest,
  Settings,
  Theme,
} from "../ipc/backend";
import { toIpcError } from "../ipc/backend";
import { applyTheme } from "../theme";
import { LiveList } from "./live-list.svelte";
import type { PageId } from "../features/shell/pages";
import { BuildModel } from "../features/build/model.svelte";
import { PullRun } from "../features/images/pull.svelte";
import { PushRun } from "../features/images/push.svelte";
import { RunForm } from "../features/run/model.svelte";
import type { DetailTab } from "../features/containers/ContainerDetail.svelte";

export interface Notice {
  id: number;
  tone: "info" | "error";
  text: string;
}

/**
 * Something a page does once it shows, asked for from elsewhere (the command palette): open one
 * of its dialogs, open a container's detail, run a container action the way its buttons do.
 */
export type PageRequest =
  | { page: "images"; kind: "pull" | "search" | "prune" }
  | { page: "containers"; kind: "prune" }
  | { page: "containers"; kind: "open"; id: string; tab?: DetailTab }
  | { page: "containers"; kind: "action"; id: string; action: "start" | "stop" | "restart" }
  | { page: "registries"; kind: "login" };

/** Takes the paths dropped on the window instead of the Build page. */
export type DropTarget = (paths: string[]) => void;

/** What a view that takes drops sees of the app (the Files tab). */
export type DropTargets = Pick<AppModel, "dragging" | "takeDrops">;

const BUILD_BUSY =
  "A build is running: cancel it or wait for it to end before opening another folder.";
const REBUILD_BUSY = "A build is running: cancel it or wait for it to end before building again.";

/** The theme after `t` in the Toggle theme cycle. */
export const NEXT_THEME: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };
export const THEME_LABEL: Record<Theme, string> = {
  system: "follow the system",
  light: "light",
  dark: "dark",
};

export class AppModel {
  status = $state<EngineStatus>({ state: "connecting", host: null });
  /** Containers list shows stopped ones too. */
  showAll = $state(true);
  page = $state<PageId>("containers");
  /** Files are being dragged over the window. */
  dragging = $state(false);
  /** Where dropped files go instead of the Build page (a container's Files tab, while shown). */
  dropTarget = $state<DropTarget | null>(null);
  notice = $state<Notice | null>(null);
  /** An image the Images page should select when it shows it (set by "Show image"). */
  imageFocus = $state<string | null>(null);
  /** The Run dialog's form while it is open (App renders the dialog when set). */
  run = $state<RunForm | null>(null);
  /** For the page it names, until that page has done it. */
  request = $state<PageRequest | null>(null);
  /** The stored settings as last read or saved (null until read). */
  settings = $state<Settings | null>(null);
  readonly containers: LiveList<ContainerSummary>;
  readonly images: LiveList<ImageSummary>;
  readonly build: BuildModel;
  readonly pull: PullRun;
  readonly push: PushRun;
  /** Read from Docker's config (no engine needed); refreshed when the page shows it. */
  readonly registries: LiveList<LoggedIn>;
  private noticeSeq = 0;
  /** What has told the app it painted (once per app lifetime). */
  private readonly paintedOnce: string[] = [];
  private stopTheme: () => void = () => {};

  constructor(readonly backend: Backend) {
    this.containers = new LiveList(() => backend.containerList(this.showAll));
    this.images = new LiveList(() => backend.imageList());
    this.build = new BuildModel(backend);
    this.pull = new PullRun(backend);
    this.push = new PushRun(backend);
    this.registries = new LiveList(() => backend.registryList());
  }

  /** Subscribes to the backend and loads the first state. Returns the unsubscribe. */
  async start(): Promise<() => void> {
    const offStatus = await this.backend.onEngineStatus((s) => this.applyStatus(s));
    const offChange = await this.backend.onEngineChanged((c) => this.applyChange(c));
    const offDrop = await this.backend.onDrop((e) => this.applyDrop(e));
    const offOpen = await this.backend.onOpen((r) => void this.applyOpen(r));
    this.applyStatus(await this.backend.engineStatus());
    void this.build.loadHistory();
    void this.backend.settingsGet().then(
      (s) => this.applySettings(s),
      () => this.applySettings(null),
    );
    return () => {
      this.stopTheme();
      offStatus();
      offChange();
      offDrop();
      offOpen();
      this.build.dispose();
    };
  }

  /** Applies what the UI itself uses of the settings (the theme). */
  applySettings(s: Settings | null): void {
    if (s) this.settings = s;
    this.stopTheme();
    this.stopTheme = applyTheme(s?.theme ?? "system");
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

  /**
   * Drag and drop on the window: an overlay while dragging; the drop target takes what is
   * dropped, else a dropped folder opens on Build.
   */
  applyDrop(e: DropEvent): void {
    switch (e.kind) {
      case "over":
        this.dragging = true;
        break;
      case "leave":
        this.dragging = false;
        break;
      case "opened":
        this.dragging = false;
        if (this.dropTarget) {
          this.dropTarget(e.paths);
          break;
        }
        this.page = "build";
        if (!this.build.setContext(e.context, e.dockerfile)) this.notify(BUILD_BUSY, "error");
        break;
      case "refused":
        this.dragging = false;
        if (this.dropTarget) this.dropTarget(e.paths);
        else this.notify(e.message, "error");
        break;
    }
  }

  /** `target` takes the drops until the returned function is called. */
  takeDrops(target: DropTarget): () => void {
    this.dropTarget = target;
    return () => {
      if (this.dropTarget === target) this.dropTarget = null;
    };
  }

  /** What the tray asks for (it has shown the window): a container's logs, the containers, or
   * the last build again. */
  async applyOpen(r: OpenRequest): Promise<void> {
    switch (r.kind) {
      case "logs":
        this.page = "containers";
        // Not listed yet (just started), or stopped while only running ones are listed.
        if (!this.containers.items.some((c) => c.id === r.id)) {
          this.showAll = true;
          await this.containers.refresh();
        }
        this.openContainer(r.id, "logs");
        break;
      case "containers":
        this.page = "containers";
        break;
      case "rebuild":
        await this.rebuildLast();
        break;
    }
  }

  /** The Build page, running the newest build of the history again as its Rebuild button does. */
  async rebuildLast(): Promise<void> {
    this.page = "build";
    if (this.build.running) {
      this.notify(REBUILD_BUSY, "error");
      return;
    }
    await this.build.loadHistory();
    const last = this.build.history[0];
    if (!last) {
      this.notify("There is no build to run again yet.", "error");
      return;
    }
    await this.build.rebuild(last);
    if (this.build.openError) this.notify(this.build.openError.message, "error");
  }

  notify(text: string, tone: Notice["tone"] = "info"): void {
    this.notice = { id: ++this.noticeSeq, tone, text };
  }

  dismissNotice(id?: number): void {
    if (id === undefined || this.notice?.id === id) this.notice = null;
  }

  /**
   * Tells the app `what` ("containers") is on screen, once per app lifetime: after two animation
   * frames, so the frame holding it has been painted (the cold-start benchmark's mark).
   */
  painted(what: string): void {
    if (this.paintedOnce.includes(what)) return;
    this.paintedOnce.push(what);
    const frame = (f: () => void) =>
      typeof requestAnimationFrame === "function" ? requestAnimationFrame(f) : setTimeout(f, 16);
    frame(() => frame(() => void this.backend.appPainted(what).catch(() => {})));
  }

  /** Opens a published port's `http://address:port/` in the browser; a refusal is said. */
  async openPort(url: string): Promise<void> {
    try {
      await this.backend.portOpen(url);
    } catch (e) {
      this.notify(`Could not open ${url}: ${toIpcError(e).message}`, "error");
    }
  }

  /** Goes to the Images page with that image selected (by id, or by its row's key). */
  showImage(imageId: string): void {
    this.imageFocus = imageId;
    this.page = "images";
  }

  /** Shows the request's page, which then does it. */
  ask(r: PageRequest): void {
    this.request = r;
    this.page = r.page;
  }

  /** Goes to the Containers page with that container's detail open (on `tab`). */
  openContainer(id: string, tab?: DetailTab): void {
    this.ask({ page: "containers", kind: "open", id, tab });
  }

  /** The Build page and the OS folder picker (unless a build runs: it says so). A picker error
   * shows under the page's path field. */
  async buildFolder(): Promise<void> {
    this.page = "build";
    if (this.build.running) this.notify(BUILD_BUSY, "error");
    else await this.build.pick();
  }

  /** The Build page with `path` opened as a typed one is (a recent folder). An error shows under
   * the page's path field. */
  async openBuildFolder(path: string): Promise<void> {
    this.page = "build";
    if (this.build.running) {
      this.notify(BUILD_BUSY, "error");
      return;
    }
    this.build.path = path;
    await this.build.openPath(path);
  }

  /** Saves the next theme of the cycle (system → light → dark) and applies it. */
  async cycleTheme(): Promise<void> {
    try {
      const s = await this.backend.settingsGet();
      const next = NEXT_THEME[s.theme];
      this.applySettings(await this.backend.settingsSet({ ...s, theme: next }, s));
      this.notify(`Theme: ${THEME_LABEL[next]}`);
    } catch (e) {
      this.notify(`The theme could not be saved: ${toIpcError(e).message}`, "error");
    }
  }

  /** Opens the Run dialog prefilled with `image`. A detached start closes it, says so and shows
   * the Containers page. */
  runImage(image: string): void {
    this.run?.dispose();
    const form: RunForm = new RunForm(this.backend, image, {
      pull: this.pull,
      onSettings: (s) => this.applySettings(s),
      onStarted: (o) => {
        if (this.run !== form) return;
        this.closeRun();
        this.notify(`Started ${o.name}`);
        this.page = "containers";
      },
    });
    this.run = form;
  }

  closeRun(): void {
    this.run?.dispose();
    this.run = null;
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
