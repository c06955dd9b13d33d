// The Run dialog's state and logic: the form, its live check (the exact `docker run` line, the
// field errors, the risks), a pasted line or a saved preset (and saving one), and the run itself
// (confirm risks, pull a missing image, attached output, an at-once exit). It talks to the app only through the `Backend`; all
// Docker rules (quoting, ports, volumes…) are on the Rust side.

import {
  newOpId,
  toIpcError,
  type Backend,
  type IpcError,
  type RunPreset,
  type Settings,
  type TransferProgress,
} from "../../ipc/backend";
import { TermOutput } from "../../term-output.svelte";
import type { PullRun } from "../images/pull.svelte";
import type { AppModel } from "../../stores/app.svelte";
import {
  defaultSpec,
  fieldsFromSpec,
  formField,
  modeOf,
  setMode,
  specFromFields,
  type RowMap,
  type RunFields,
  type RunMode,
} from "./form";
import type { Risk, RunOutcome, RunOutput, RunSpec } from "./types";

export type RunStage =
  | { state: "form" }
  /** Risky options: each listed, "Run anyway" or "Back". */
  | { state: "confirm" }
  | { state: "running"; op: string; attached: boolean; stopping: boolean }
  /** The image is not on this engine: offer to pull it, then run. */
  | {
      state: "notLocal";
      image: string;
      acceptRisks: boolean;
      pulling: boolean;
      error: IpcError | null;
    }
  /** The container already exited (at once, or an attached run that finished). */
  | { state: "exited"; outcome: RunOutcome; attached: boolean }
  /** An attached run the user stopped. */
  | { state: "stopped" }
  | { state: "started"; outcome: RunOutcome };

/** How long the form waits for typing to stop before checking it again. */
export const CHECK_DEBOUNCE_MS = 150;
/** What the command text is parsed after (only the command words are kept). */
const SPLIT_PREFIX = "docker run image ";

export interface RunFormOptions {
  /** The app's pull (its progress shows on the Images page too); without it, a pull of our own. */
  pull?: PullRun;
  /** A run that keeps going (detached, or in the background): the caller closes the dialog. */
  onStarted?: (outcome: RunOutcome) => void;
  /** The settings as stored after a preset was saved. */
  onSettings?: (settings: Settings) => void;
}

export class RunForm {
  form = $state<RunFields>(fieldsFromSpec(defaultSpec()));
  /** The command text as words (split by Rust). */
  command = $state<string[]>([]);
  /** The exact `docker run` line of the last good check. */
  line = $state("");
  /** A check is due or under way (the line may be stale). */
  checking = $state(false);
  /** At most one error from the check (or the run), by form field ("ports[1]", "name", …). */
  fieldErrors = $state<Record<string, string>>({});
  risks = $state<Risk[]>([]);
  /** An error not about a field (the engine is gone, …). */
  error = $state<IpcError | null>(null);
  pasteText = $state("");
  pasteError = $state<IpcError | null>(null);
  pasting = $state(false);
  /** How many times the form was replaced by a spec (a paste): the dialog opens "Advanced". */
  replaced = $state(0);
  /** The saved run presets (read when the dialog opens). */
  presets = $state<RunPreset[]>([]);
  /** The "Save as preset…" name field; null while it is closed. */
  presetName = $state<string | null>(null);
  presetError = $state<string | null>(null);
  savingPreset = $state(false);
  /** The name of the preset just saved (until the field opens again). */
  presetSaved = $state<string | null>(null);
  /** The preset just saved left out the values of secret env variables. */
  presetLeftSecrets = $state(false);
  stage = $state<RunStage>({ state: "form" });
  /** The container's output (attached), or its last lines (an exit at once). */
  readonly output = new TermOutput();

  private readonly built = $derived(specFromFields(this.form, this.command));
  readonly spec: RunSpec = $derived(this.built.spec);
  readonly rows: RowMap = $derived(this.built.rows);
  readonly mode: RunMode = $derived(modeOf(this.form));
  readonly hasError: boolean = $derived(Object.keys(this.fieldErrors).length > 0);
  readonly busy: boolean = $derived(
    this.stage.state === "running" || (this.stage.state === "notLocal" && this.stage.pulling),
  );
  /** "Save as preset…": the form makes a good line. */
  readonly canSavePreset: boolean = $derived(
    this.line !== "" && !this.checking && !this.hasError && !this.busy,
  );
  /** The Run button: an image, no error, nothing under way. */
  readonly canRun: boolean = $derived(
    this.form.image.trim() !== "" && !this.hasError && !this.busy,
  );

  private checkTimer: ReturnType<typeof setTimeout> | null = null;
  private checkSeq = 0;
  /** The form (as JSON) last checked or scheduled. */
  private checkedKey = "";
  /** The command text `command` holds the words of. */
  private splitFor = "";
  private ownPull = $state<TransferProgress | null>(null);
  /** What the app's pull pulls for us ("" when we pull on our own). */
  private pullTarget = $state("");

  constructor(
    private readonly backend: Backend,
    image = "",
    private readonly options: RunFormOptions = {},
  ) {
    this.form.image = image;
  }

  /** The form's field error, if any. */
  err(field: string): string | undefined {
    return this.fieldErrors[field];
  }

  /** The error about row `i` of a list ("env[1].key", "ports[1]"…), if any. */
  rowError(list: string, i: number): [string, string] | undefined {
    const prefix = `${list}[${i}]`;
    return Object.entries(this.fieldErrors).find(
      ([f]) => f === prefix || f.startsWith(`${prefix}.`),
    );
  }

  setMode(mode: RunMode): void {
    setMode(this.form, mode);
  }

  addPort(): void {
    this.form.ports.push("");
  }
  addVolume(): void {
    this.form.volumes.push({ source: "", target: "", readOnly: false });
  }
  addEnv(): void {
    this.form.env.push({ key: "", value: "" });
  }
  addEnvFile(): void {
    this.form.envFiles.push("");
  }
  addLabel(): void {
    this.form.labels.push({ key: "", value: "" });
  }
  /** Removes row `i` of a list. */
  remove(list: "ports" | "volumes" | "env" | "envFiles" | "labels", i: number): void {
    this.form[list].splice(i, 1);
  }

  /** The OS folder picker into a volume row's source. */
  async chooseFolder(i: number): Promise<void> {
    try {
      const path = await this.backend.pickFolder();
      const row = this.form.volumes[i];
      if (path !== null && row) row.source = path;
    } catch (e) {
      this.error = toIpcError(e);
    }
  }

  /** The OS file picker into an env file row. */
  async chooseFile(i: number): Promise<void> {
    try {
      const path = await this.backend.pickFile();
      if (path !== null && i < this.form.envFiles.length) this.form.envFiles[i] = path;
    } catch (e) {
      this.error = toIpcError(e);
    }
  }

  /**
   * Call after the form changed (the dialog does, from an effect): checks it again once typing
   * stops. Returns whether a check is due.
   */
  sync(debounceMs = CHECK_DEBOUNCE_MS): boolean {
    const key = JSON.stringify(this.form);
    if (key === this.checkedKey) return false;
    this.checkedKey = key;
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.checking = true;
    this.checkTimer = setTimeout(() => {
      this.checkTimer = null;
      void this.check();
    }, debounceMs);
    return true;
  }

  /**
   * Checks the form now: splits a changed command text, then asks for the line and the risks.
   * True when the form is good (no field error).
   */
  async check(): Promise<boolean> {
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.checkTimer = null;
    this.checkedKey = JSON.stringify(this.form);
    const seq = ++this.checkSeq;
    const current = () => seq === this.checkSeq;
    this.checking = true;
    try {
      const text = this.form.command;
      if (text !== this.splitFor) {
        if (text.trim() === "") this.command = [];
        else {
          try {
            const parsed = await this.backend.containerRunParse(SPLIT_PREFIX + text);
            if (!current()) return false;
            this.command = parsed.command;
          } catch (e) {
            if (!current()) return false;
            const err = toIpcError(e);
            this.fieldErrors = { command: err.message };
            this.risks = [];
            return false;
          }
        }
        this.splitFor = text;
      }
      const spec = $state.snapshot(this.spec) as RunSpec;
      const rows = this.rows;
      try {
        const result = await this.backend.containerRunCheck(spec);
        if (!current()) return false;
        this.line = result.line;
        this.risks = result.risks.map((r) => ({ ...r, field: formField(r.field, rows) }));
        this.fieldErrors = {};
        this.error = null;
        return true;
      } catch (e) {
        if (!current()) return false;
        this.risks = [];
        this.setError(toIpcError(e), rows);
        return false;
      }
    } finally {
      if (current()) this.checking = false;
    }
  }

  /** An error from the check or the run: next to its field, or on its own. */
  private setError(err: IpcError, rows: RowMap = this.rows, fallback: string | null = null): void {
    const field = err.field ? formField(err.field, rows) : fallback;
    if (field) {
      this.fieldErrors = { [field]: err.message };
      this.error = null;
    } else {
      this.fieldErrors = {};
      this.error = err;
    }
  }

  /** A pasted `docker run …` line replaces the form. */
  async paste(text: string = this.pasteText): Promise<boolean> {
    if (!text.trim() || this.busy) return false;
    this.pasting = true;
    this.pasteError = null;
    try {
      const spec = await this.backend.containerRunParse(text.trim());
      this.setSpec(spec);
      this.pasteText = "";
      return true;
    } catch (e) {
      this.pasteError = toIpcError(e);
      return false;
    } finally {
      this.pasting = false;
    }
  }

  /** Reads the saved presets. */
  async loadPresets(): Promise<void> {
    try {
      this.presets = (await this.backend.settingsGet()).runPresets;
    } catch {
      this.presets = [];
    }
  }

  /** Fills the form from a preset's line, as a pasted line does. */
  async usePreset(name: string): Promise<boolean> {
    const preset = this.presets.find((p) => p.name === name);
    return preset ? this.paste(preset.line) : false;
  }

  /** Opens the name field of "Save as preset…". */
  startSavePreset(): void {
    this.presetName = "";
    this.presetError = null;
    this.presetSaved = null;
  }

  cancelSavePreset(): void {
    this.presetName = null;
    this.presetError = null;
  }

  /**
   * Saves the form's exact `docker run` line under the name typed into the settings' run presets.
   * The app's refusal (a name taken, too long…) is kept in `presetError`.
   */
  async savePreset(): Promise<boolean> {
    if (this.presetName === null || this.savingPreset) return false;
    const name = this.presetName.trim();
    if (!name) {
      this.presetError = "Give the preset a name.";
      return false;
    }
    this.savingPreset = true;
    this.presetError = null;
    try {
      // The line of the form as it is now.
      if (!(await this.check())) {
        this.presetError = "The form has an error: fix it, then save.";
        return false;
      }
      const line = this.line;
      const s = await this.backend.settingsGet();
      const stored = await this.backend.settingsSet(
        { ...s, runPresets: [...s.runPresets, { name, line }] },
        s,
      );
      this.presets = stored.runPresets;
      this.presetName = null;
      this.presetSaved = name;
      // The app empties the values of variables named like secrets (the file is plain text).
      this.presetLeftSecrets = stored.runPresets.find((p) => p.name === name)?.line !== line;
      this.options.onSettings?.(stored);
      return true;
    } catch (e) {
      this.presetError = toIpcError(e).message;
      return false;
    } finally {
      this.savingPreset = false;
    }
  }

  /** Shows exactly `spec` in the form. */
  setSpec(spec: RunSpec): void {
    this.form = fieldsFromSpec(spec);
    this.command = [...spec.command];
    this.splitFor = this.form.command;
    this.fieldErrors = {};
    this.error = null;
    this.stage = { state: "form" };
    this.replaced++;
  }

  /** Run: checks first; risky options ask for a confirmation. */
  async run(): Promise<void> {
    if (this.busy) return;
    if (!(await this.check())) {
      this.stage = { state: "form" };
      return;
    }
    if (this.risks.length) {
      this.stage = { state: "confirm" };
      return;
    }
    await this.start(false);
  }

  /** "Run anyway" on the confirm step. */
  async confirm(): Promise<void> {
    if (this.stage.state !== "confirm") return;
    await this.start(true);
  }

  /** "Back" from the confirm step, an exit or a stop: the form again, as it was. */
  back(): void {
    if (this.busy) return;
    this.stage = { state: "form" };
  }

  private async start(acceptRisks: boolean): Promise<void> {
    const spec = $state.snapshot(this.spec) as RunSpec;
    const rows = this.rows;
    const op = newOpId("run");
    const attached = !spec.detach;
    this.output.clear();
    this.error = null;
    this.stage = { state: "running", op, attached, stopping: false };
    try {
      const outcome = await this.backend.containerRun(op, spec, acceptRisks, (o) =>
        this.onOutput(o),
      );
      this.output.end();
      if (outcome.exited) {
        // An attached run already showed its output; a detached one shows its last lines.
        if (this.output.empty())
          for (const l of outcome.exited.lastLines) this.output.write(`${l}\n`);
        this.output.flush();
        this.stage = { state: "exited", outcome, attached };
      } else {
        this.output.flush();
        this.stage = { state: "started", outcome };
        this.options.onStarted?.(outcome);
      }
    } catch (e) {
      this.output.end();
      this.output.flush();
      const err = toIpcError(e);
      switch (err.code) {
        case "ImageNotLocal":
          this.stage = {
            state: "notLocal",
            image: spec.image,
            acceptRisks,
            pulling: false,
            error: null,
          };
          break;
        case "Cancelled":
          this.stage = { state: "stopped" };
          break;
        case "Conflict":
          // Nothing was left behind: the form again, the message next to the name or ports.
          this.setError(err, rows, /\bports?\b/i.test(err.message) ? "ports" : "name");
          this.stage = { state: "form" };
          break;
        default:
          this.setError(err, rows);
          this.stage = { state: "form" };
      }
    }
  }

  /** Stops an attached run (the container is stopped). */
  async stop(): Promise<void> {
    if (this.stage.state !== "running") return;
    this.stage = { ...this.stage, stopping: true };
    await this.backend.opCancel(this.stage.op);
  }

  /** The pull's progress while "Pull and run" pulls. */
  get pullProgress(): TransferProgress | null {
    const pull = this.options.pull;
    return pull && this.pullTarget && pull.target === this.pullTarget
      ? pull.progress
      : this.ownPull;
  }

  /** "Pull <image> and run": pulls the missing image, then runs as confirmed before. */
  async pullAndRun(): Promise<void> {
    const st = this.stage;
    if (st.state !== "notLocal" || st.pulling) return;
    this.stage = { ...st, pulling: true, error: null };
    try {
      await this.pullImage(st.image);
    } catch (e) {
      this.stage = { ...st, pulling: false, error: toIpcError(e) };
      return;
    }
    await this.start(st.acceptRisks);
  }

  private async pullImage(image: string): Promise<void> {
    const pull = this.options.pull;
    this.ownPull = null;
    if (pull && !pull.running) {
      // The app's pull: the Images page shows it too.
      this.pullTarget = image;
      pull.reset(image);
      await pull.start(image);
      if (pull.state !== "done")
        throw pull.error ?? { code: "Cancelled", message: "The pull was cancelled.", field: null };
      return;
    }
    this.pullTarget = "";
    await this.backend.imagePull(newOpId("pull"), image, (p) => (this.ownPull = p));
  }

  onOutput(o: RunOutput): void {
    for (const l of o.lines) this.output.write(`${l.text}\n`);
  }

  dispose(): void {
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.output.dispose();
    this.checkSeq++;
  }
}

/** Opens the Run dialog (prefilled with `image`): for a "Run container…" button anywhere. */
export function openRun(app: Pick<AppModel, "runImage">, image = ""): void {
  app.runImage(image);
}
