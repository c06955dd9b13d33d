// The Run form's fields and how they become a `RunSpec` (and back, for a pasted `docker run`
// line). Pure functions, unit-tested; the dialog binds inputs to a `RunFields`.
//
// Blank rows are dropped from the spec, so a spec index is not a row index: `specFromFields`
// also says which row each spec entry came from, and `formField` turns an error's field
// ("ports[0]" of the spec) into the row it is about ("ports[2]" of the form).

import type { KeyValue, RestartPolicy, RunSpec } from "./types";

export type RunMode = "detached" | "attached" | "interactive";
export type RestartName = RestartPolicy["policy"];

export interface VolumeRow {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface RunFields {
  image: string;
  name: string;
  detach: boolean;
  interactive: boolean;
  tty: boolean;
  remove: boolean;
  ports: string[];
  publishAll: boolean;
  volumes: VolumeRow[];
  env: KeyValue[];
  envFiles: string[];
  labels: KeyValue[];
  restart: RestartName;
  /** For on-failure: null = no limit. */
  maxRetries: number | null;
  /** The command as typed; Rust splits it into words (shell quoting). */
  command: string;
  entrypoint: string;
  workdir: string;
  user: string;
  hostname: string;
  network: string;
  /** "" (own namespace), "host", or what a pasted line said ("container:…"). */
  pid: string;
  privileged: boolean;
}

/** The spec entry `i` of each list came from form row `rows.<list>[i]`. */
export interface RowMap {
  ports: number[];
  volumes: number[];
  env: number[];
  envFiles: number[];
  labels: number[];
}

export function defaultSpec(image = ""): RunSpec {
  return {
    image,
    name: null,
    detach: true,
    interactive: false,
    tty: false,
    remove: false,
    ports: [],
    publishAll: false,
    volumes: [],
    env: [],
    envFiles: [],
    labels: [],
    restart: { policy: "no" },
    entrypoint: null,
    command: [],
    workdir: null,
    user: null,
    hostname: null,
    network: null,
    pid: null,
    privileged: false,
  };
}

/** Quotes one word for a POSIX shell (as the Rust side splits the command text). */
export function quoteWord(w: string): string {
  return w !== "" && /^[A-Za-z0-9\-_./:=@,+%^]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

/** Words back into command text that splits into the same words. */
export function joinWords(words: string[]): string {
  return words.map(quoteWord).join(" ");
}

export function fieldsFromSpec(spec: RunSpec): RunFields {
  return {
    image: spec.image,
    name: spec.name ?? "",
    detach: spec.detach,
    interactive: spec.interactive,
    tty: spec.tty,
    remove: spec.remove,
    ports: [...spec.ports],
    publishAll: spec.publishAll,
    volumes: spec.volumes.map((v) => ({ ...v })),
    env: spec.env.map((kv) => ({ ...kv })),
    envFiles: [...spec.envFiles],
    labels: spec.labels.map((kv) => ({ ...kv })),
    restart: spec.restart.policy,
    maxRetries: spec.restart.policy === "on-failure" ? spec.restart.maxRetries : null,
    command: joinWords(spec.command),
    entrypoint: spec.entrypoint ?? "",
    workdir: spec.workdir ?? "",
    user: spec.user ?? "",
    hostname: spec.hostname ?? "",
    network: spec.network ?? "",
    pid: spec.pid ?? "",
    privileged: spec.privileged,
  };
}

const orNull = (s: string): string | null => (s.trim() === "" ? null : s.trim());

function keep<T, U>(rows: T[], blank: (r: T) => boolean, map: (r: T) => U): [U[], number[]] {
  const out: U[] = [];
  const idx: number[] = [];
  rows.forEach((r, i) => {
    if (blank(r)) return;
    out.push(map(r));
    idx.push(i);
  });
  return [out, idx];
}

/** The spec the form asks for (`command`: the words Rust split the command text into). */
export function specFromFields(f: RunFields, command: string[]): { spec: RunSpec; rows: RowMap } {
  const [ports, portRows] = keep(
    f.ports,
    (p) => p.trim() === "",
    (p) => p.trim(),
  );
  const [volumes, volumeRows] = keep(
    f.volumes,
    (v) => v.source.trim() === "" && v.target.trim() === "",
    (v) => ({ source: v.source.trim(), target: v.target.trim(), readOnly: v.readOnly }),
  );
  const kvBlank = (kv: KeyValue) => kv.key.trim() === "" && kv.value === "";
  const kv = (kv: KeyValue) => ({ key: kv.key.trim(), value: kv.value });
  const [env, envRows] = keep(f.env, kvBlank, kv);
  const [labels, labelRows] = keep(f.labels, kvBlank, kv);
  const [envFiles, envFileRows] = keep(
    f.envFiles,
    (p) => p.trim() === "",
    (p) => p.trim(),
  );
  const restart: RestartPolicy =
    f.restart === "on-failure"
      ? {
          policy: "on-failure",
          maxRetries:
            f.maxRetries == null || Number.isNaN(f.maxRetries) ? null : Math.trunc(f.maxRetries),
        }
      : { policy: f.restart };
  return {
    spec: {
      image: f.image.trim(),
      name: orNull(f.name),
      detach: f.detach,
      interactive: f.interactive,
      tty: f.tty,
      remove: f.remove,
      ports,
      publishAll: f.publishAll,
      volumes,
      env,
      envFiles,
      labels,
      restart,
      entrypoint: orNull(f.entrypoint),
      command: [...command],
      workdir: orNull(f.workdir),
      user: orNull(f.user),
      hostname: orNull(f.hostname),
      network: orNull(f.network),
      pid: orNull(f.pid),
      privileged: f.privileged,
    },
    rows: {
      ports: portRows,
      volumes: volumeRows,
      env: envRows,
      envFiles: envFileRows,
      labels: labelRows,
    },
  };
}

const LIST_FIELD = /^(ports|volumes|env|envFiles|labels)\[(\d+)\](.*)$/;

/** An error's field in spec terms → the form's: list indices become row indices. */
export function formField(field: string, rows: RowMap): string {
  const m = LIST_FIELD.exec(field);
  if (!m) return field;
  const list = m[1] as keyof RowMap;
  const row = rows[list][Number(m[2])];
  return row === undefined ? list : `${list}[${row}]${m[3]}`;
}

export function modeOf(f: Pick<RunFields, "detach" | "interactive" | "tty">): RunMode {
  if (f.interactive || f.tty) return "interactive";
  return f.detach ? "detached" : "attached";
}

/** Sets the flags a mode stands for. An interactive terminal starts in the background (`-dit`):
 * this window shows output but cannot type into it. */
export function setMode(f: RunFields, mode: RunMode): void {
  f.detach = mode !== "attached";
  f.interactive = mode === "interactive";
  f.tty = mode === "interactive";
}

/** Whether anything under "Advanced" is set (it opens by itself then). */
export function hasAdvanced(f: RunFields): boolean {
  return (
    f.command.trim() !== "" ||
    f.entrypoint.trim() !== "" ||
    f.workdir.trim() !== "" ||
    f.user.trim() !== "" ||
    f.hostname.trim() !== "" ||
    f.network.trim() !== "" ||
    f.pid.trim() !== "" ||
    f.labels.length > 0 ||
    f.privileged
  );
}

/** Fields shown under "Advanced" (an error there opens it). */
export const ADVANCED_FIELDS = [
  "command",
  "entrypoint",
  "workdir",
  "user",
  "hostname",
  "network",
  "pid",
  "labels",
  "privileged",
];

/** The section an error's field belongs to: "ports[2]" → "ports", "volumes[0].source" → "volumes". */
export function fieldRoot(field: string): string {
  return field.replace(/[[.].*$/, "");
}
