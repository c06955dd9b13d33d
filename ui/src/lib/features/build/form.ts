// The build form's state and how it becomes `BuildOptions` (and back, for a rebuild from the
// history). Pure functions, unit-tested; the page binds inputs to a `BuildForm`.

import type { BuildOptions, BuildRecord, DockerfileInfo, KeyValue } from "../../ipc/backend";

export const DEFAULT_DOCKERFILE = "Dockerfile";
/** The Dockerfile select's "Other…" entry. */
export const OTHER = "\u0000other";

export interface ArgRow {
  key: string;
  value: string;
  /** Declared by an `ARG` in the Dockerfile: the name is fixed, the default is the placeholder. */
  declared: boolean;
  default: string | null;
  /** Where the Dockerfile declares it: "global", or a stage's name. */
  scope: string | null;
  /** The user typed in the value: sent even when empty (an explicit empty value). */
  edited: boolean;
}

export interface KvRow {
  key: string;
  value: string;
}

export interface BuildForm {
  /** One of the context's Dockerfiles, or `OTHER`. */
  dockerfileChoice: string;
  /** The free-text Dockerfile path when `dockerfileChoice` is `OTHER`. */
  dockerfileOther: string;
  tags: string[];
  args: ArgRow[];
  /** A named stage, or "" for the last stage. */
  target: string;
  noCache: boolean;
  pull: boolean;
  labels: KvRow[];
}

/** A fresh form for a context; `dockerfile` is the file that was dropped, if any. */
export function emptyForm(dockerfiles: string[], dockerfile: string | null = null): BuildForm {
  const form: BuildForm = {
    dockerfileChoice: DEFAULT_DOCKERFILE,
    dockerfileOther: "",
    tags: [""],
    args: [],
    target: "",
    noCache: false,
    pull: false,
    labels: [],
  };
  setDockerfile(form, dockerfile ?? dockerfiles[0] ?? DEFAULT_DOCKERFILE, dockerfiles);
  return form;
}

export function setDockerfile(form: BuildForm, dockerfile: string, dockerfiles: string[]): void {
  const df = dockerfile.trim() || DEFAULT_DOCKERFILE;
  if (dockerfiles.includes(df) || (df === DEFAULT_DOCKERFILE && dockerfiles.length === 0)) {
    form.dockerfileChoice = df;
    form.dockerfileOther = "";
  } else {
    form.dockerfileChoice = OTHER;
    form.dockerfileOther = df;
  }
}

/** The Dockerfile the form names (`Dockerfile` when nothing is typed). */
export function dockerfileOf(form: BuildForm): string {
  const df = form.dockerfileChoice === OTHER ? form.dockerfileOther : form.dockerfileChoice;
  return df.trim() || DEFAULT_DOCKERFILE;
}

function kvs(rows: KvRow[]): KeyValue[] {
  return rows
    .filter((r) => r.key.trim() !== "" || r.value !== "")
    .map((r) => ({ key: r.key.trim(), value: r.value }));
}

/**
 * What the form asks for. Blank tag, arg and label rows are dropped; a Dockerfile `ARG` the user
 * did not touch is left to its default (not sent), one they edited is sent even when empty.
 */
export function optionsFromForm(form: BuildForm): BuildOptions {
  const args = form.args.filter((a) =>
    a.declared ? a.edited : a.key.trim() !== "" || a.value !== "",
  );
  const target = form.target.trim();
  return {
    dockerfile: dockerfileOf(form),
    tags: form.tags.map((t) => t.trim()).filter((t) => t !== ""),
    buildArgs: args.map((a) => ({ key: a.key.trim(), value: a.value })),
    target: target === "" ? null : target,
    noCache: form.noCache,
    pull: form.pull,
    labels: kvs(form.labels),
  };
}

/** The stage names a build can stop at, in Dockerfile order. */
export function namedStages(info: DockerfileInfo | null): string[] {
  const out: string[] = [];
  for (const s of info?.stages ?? []) if (s.name && !out.includes(s.name)) out.push(s.name);
  return out;
}

/** "global" before the first FROM; a stage's name, or "stage N" (0-based, as `--from=N`). */
function scopeOf(stage: string | null): string {
  if (stage == null) return "global";
  return /^\d+$/.test(stage) ? `stage ${stage}` : stage;
}

/**
 * The arg rows for a (new) Dockerfile: one fixed row per declared `ARG`, keeping what the user
 * typed for the same name; rows the user added stay; an edited row of a Dockerfile no longer
 * chosen becomes a free row (its value is not lost), an untouched one goes.
 */
export function argsFromInfo(rows: ArgRow[], info: DockerfileInfo): ArgRow[] {
  const declared: ArgRow[] = [];
  for (const a of info.args) {
    if (declared.some((d) => d.key === a.name)) continue;
    const prev = rows.find((r) => r.key.trim() === a.name && (r.edited || !r.declared));
    declared.push({
      key: a.name,
      value: prev?.value ?? "",
      declared: true,
      default: a.default,
      scope: scopeOf(a.stage),
      edited: prev ? prev.edited || !prev.declared : false,
    });
  }
  const names = new Set(declared.map((d) => d.key));
  const free = rows
    .filter((r) => !names.has(r.key.trim()) && (!r.declared || r.edited))
    .map((r) => ({ ...r, declared: false, default: null, scope: null }));
  return [...declared, ...free];
}

/** A form holding exactly `options` (a build from the history, to edit or run again). */
export function formFromOptions(options: BuildOptions, dockerfiles: string[]): BuildForm {
  const form = emptyForm(dockerfiles, options.dockerfile);
  form.tags = options.tags.length ? [...options.tags] : [""];
  form.args = options.buildArgs.map((kv) => ({
    key: kv.key,
    value: kv.value,
    declared: false,
    default: null,
    scope: null,
    edited: true,
  }));
  form.target = options.target ?? "";
  form.noCache = options.noCache;
  form.pull = options.pull;
  form.labels = options.labels.map((kv) => ({ ...kv }));
  return form;
}

/** What a history row says about its build: "app:1, app:latest" or the short image id. */
export function recordTitle(r: BuildRecord): string {
  if (r.tags.length) return r.tags.join(", ");
  if (r.options.tags.length) return r.options.tags.join(", ");
  return "untagged";
}
