// The `docker run` contract with Rust. Until the bindings are generated from the Rust types, the
// shapes live here, exactly as the Rust side will send them; this file then becomes re-exports.

import type { KeyValue } from "../../ipc/backend";

export type { KeyValue };

/** `source` "" = anonymous volume; an absolute path = bind mount; otherwise a named volume
 * (created on demand). */
export type VolumeSpec = { source: string; target: string; readOnly: boolean };

export type RestartPolicy =
  | { policy: "no" }
  | { policy: "always" }
  | { policy: "unless-stopped" }
  | { policy: "on-failure"; maxRetries: number | null };

export type RunSpec = {
  image: string;
  name: string | null;
  detach: boolean;
  interactive: boolean;
  tty: boolean;
  remove: boolean;
  /** Each a docker -p value: "8080:80", "127.0.0.1:8080:80/udp", "8000-8010:8000-8010". */
  ports: string[];
  publishAll: boolean;
  volumes: VolumeSpec[];
  env: KeyValue[];
  envFiles: string[];
  labels: KeyValue[];
  restart: RestartPolicy;
  entrypoint: string | null;
  command: string[];
  workdir: string | null;
  user: string | null;
  hostname: string | null;
  network: string | null;
  pid: string | null;
  privileged: boolean;
};

export type Risk = { field: string; message: string };

export type RunCheck = { line: string; risks: Risk[] };

export type RunOutcome = {
  id: string;
  name: string;
  /** set when the container already exited (attached run finished, or a detached one exited at once) */
  exited: { code: number; lastLines: string[] } | null;
};

export type RunOutput = {
  lines: { stream: "stdout" | "stderr"; timestamp: string | null; text: string }[];
};
