// The Settings page's form: a copy of the stored settings; a save applies what the form changed
// from them over the settings as they are then (the app merges, see `settingsSet`); errors from
// the backend next to their field; the theme applied as soon as it is saved. The lists the app
// keeps (recent build folders, run presets) are trimmed at once, not through the form.

import { toIpcError, type Backend, type IpcError, type Settings } from "../../ipc/backend";

export class SettingsForm {
  /** What is stored (null until loaded). */
  saved = $state<Settings | null>(null);
  /** What the form shows. */
  draft = $state<Settings | null>(null);
  error = $state<IpcError | null>(null);
  busy = $state(false);
  /** Set after a save, until the next edit. */
  done = $state(false);

  constructor(
    private readonly backend: Backend,
    private readonly onSaved: (s: Settings) => void = () => {},
  ) {}

  async load(): Promise<void> {
    const s = await this.backend.settingsGet();
    this.saved = s;
    this.draft = structuredClone(s);
  }

  get dirty(): boolean {
    return JSON.stringify(this.saved) !== JSON.stringify(this.draft);
  }

  fieldError(field: string): string | null {
    if (this.error?.field !== field) return null;
    // The engine prefixes the field name; the form shows the message under the field.
    const m = this.error.message;
    return m.startsWith(`${field}: `) ? m.slice(field.length + 2) : m;
  }

  edited(): void {
    this.done = false;
  }

  async save(): Promise<boolean> {
    if (!this.draft) return false;
    this.busy = true;
    this.error = null;
    try {
      // Only what the form changed from the settings it shows is saved: a build that finished
      // while the page was open is not forgotten by this save.
      const draft = $state.snapshot(this.draft) as Settings;
      const base = $state.snapshot(this.saved) as Settings | null;
      const stored = await this.backend.settingsSet(draft, base ?? undefined);
      this.saved = stored;
      this.draft = structuredClone(stored);
      this.done = true;
      this.onSaved(stored);
      return true;
    } catch (e) {
      this.error = toIpcError(e);
      return false;
    } finally {
      this.busy = false;
    }
  }

  /**
   * Settings stored from elsewhere (the palette's Toggle theme): they become the saved ones, and
   * the form shows them in every field the user has not edited.
   */
  adopt(stored: Settings): void {
    if (!this.saved || !this.draft) return;
    // The app's settings are state (proxies): cloned as plain data.
    stored = $state.snapshot(stored) as Settings;
    const before = $state.snapshot(this.saved) as Settings;
    const draft = this.draft as Record<string, unknown>;
    const was = before as Record<string, unknown>;
    for (const [k, v] of Object.entries(stored))
      if (JSON.stringify(draft[k]) === JSON.stringify(was[k])) draft[k] = structuredClone(v);
    this.saved = structuredClone(stored);
  }

  /** Forgets one recent build folder (or every one: null), saved at once. */
  forgetRecent(path: string | null): Promise<boolean> {
    return this.saveList((s) => ({
      ...s,
      recentContexts: path === null ? [] : s.recentContexts.filter((p) => p !== path),
    }));
  }

  /** Deletes a run preset, saved at once. */
  deletePreset(name: string): Promise<boolean> {
    return this.saveList((s) => ({
      ...s,
      runPresets: s.runPresets.filter((p) => p.name !== name),
    }));
  }

  /** Changes the stored settings (read afresh) with `change`; the form adopts them. */
  private async saveList(change: (s: Settings) => Settings): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      const s = await this.backend.settingsGet();
      const stored = await this.backend.settingsSet(change(s), s);
      this.adopt(stored);
      this.onSaved(stored);
      return true;
    } catch (e) {
      this.error = toIpcError(e);
      return false;
    } finally {
      this.busy = false;
    }
  }

  revert(): void {
    if (this.saved) this.draft = structuredClone($state.snapshot(this.saved) as Settings);
    this.error = null;
  }
}
