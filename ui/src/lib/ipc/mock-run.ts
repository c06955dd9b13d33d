// The mock's `docker run`: a pasted line parsed (shell quoting, the common options), a spec
// checked (a few of Docker's rules, the risky options) and printed, and what a container
// "does" (its output and exit) for the MockBackend's containerRun.

import type { IpcError } from "./backend";
import { defaultSpec, quoteWord } from "../features/run/form";
import type { Risk, RunCheck, RunSpec, VolumeSpec } from "../features/run/types";

function invalid(field: string, message: string): IpcError {
  return { code: "InvalidInput", message: `${field}: ${message}`, field };
}

/** Splits a shell line into words: quotes, backslashes, line continuations. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = "";
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "\\" && line[i + 1] === "\n") {
      i += 2;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw invalid("line", "A quote (') is not closed.");
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= line.length) throw invalid("line", 'A quote (") is not closed.');
        const d = line[i]!;
        if (d === '"') break;
        if (d === "\\" && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
          if (line[i + 1] !== "\n") cur += line[i + 1];
          i += 2;
        } else {
          cur += d;
          i++;
        }
      }
      i++;
    } else if (c === "\\") {
      if (i + 1 < line.length) cur += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

const VALUE_OPTIONS: Record<string, string> = {
  "--name": "name",
  "-p": "ports",
  "--publish": "ports",
  "-v": "volumes",
  "--volume": "volumes",
  "-e": "env",
  "--env": "env",
  "--env-file": "envFiles",
  "-l": "labels",
  "--label": "labels",
  "--restart": "restart",
  "--entrypoint": "entrypoint",
  "-w": "workdir",
  "--workdir": "workdir",
  "-u": "user",
  "--user": "user",
  "-h": "hostname",
  "--hostname": "hostname",
  "--network": "network",
  "--net": "network",
  "--pid": "pid",
};

const FLAG_OPTIONS: Record<string, keyof RunSpec> = {
  "-d": "detach",
  "--detach": "detach",
  "-i": "interactive",
  "--interactive": "interactive",
  "-t": "tty",
  "--tty": "tty",
  "--rm": "remove",
  "-P": "publishAll",
  "--publish-all": "publishAll",
  "--privileged": "privileged",
};

function volumeOf(v: string): VolumeSpec {
  const parts = v.split(":");
  if (parts.length === 1) return { source: "", target: v, readOnly: false };
  const [source, target, mode] = parts;
  return { source: source ?? "", target: target ?? "", readOnly: mode === "ro" };
}

function kvOf(s: string): { key: string; value: string } {
  const eq = s.indexOf("=");
  return eq < 0 ? { key: s, value: "" } : { key: s.slice(0, eq), value: s.slice(eq + 1) };
}

function restartOf(s: string): RunSpec["restart"] {
  if (s === "no" || s === "always" || s === "unless-stopped") return { policy: s };
  const m = /^on-failure(?::(\d+))?$/.exec(s);
  if (m) return { policy: "on-failure", maxRetries: m[1] === undefined ? null : Number(m[1]) };
  throw invalid(
    "restart",
    `“${s}” is not a restart policy (no, always, unless-stopped, on-failure[:N]).`,
  );
}

/** A `docker run …` line → spec (the options the form knows; others are refused). */
export function parseRunLine(line: string): RunSpec {
  const words = shellWords(line.trim());
  let i = 0;
  if (words[0] === "docker") i = 1;
  if (words[i] === "container") i++;
  if (words[i] !== "run")
    throw invalid("line", "Paste a `docker run …` command (it starts with “docker run”).");
  i++;
  const spec = defaultSpec();
  spec.detach = false;
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith("-") || w === "-") break;
    if (w === "--") {
      i++;
      break;
    }
    const eq = w.startsWith("--") ? w.indexOf("=") : -1;
    const opt = eq > 0 ? w.slice(0, eq) : w;
    const flag = FLAG_OPTIONS[opt];
    if (flag) {
      (spec as Record<string, unknown>)[flag] = eq > 0 ? w.slice(eq + 1) !== "false" : true;
      continue;
    }
    const target = VALUE_OPTIONS[opt];
    if (!target) {
      // -dit, -it: short flags together.
      if (/^-[a-zA-Z]{2,}$/.test(w) && [...w.slice(1)].every((c) => FLAG_OPTIONS[`-${c}`])) {
        for (const c of w.slice(1))
          (spec as Record<string, unknown>)[FLAG_OPTIONS[`-${c}`]!] = true;
        continue;
      }
      throw invalid("line", `${w} is not an option this form knows: remove it to fill the form.`);
    }
    let value: string;
    if (eq > 0) value = w.slice(eq + 1);
    else {
      const next = words[++i];
      if (next === undefined) throw invalid("line", `${opt} needs a value.`);
      value = next;
    }
    switch (target) {
      case "ports":
        spec.ports.push(value);
        break;
      case "volumes":
        spec.volumes.push(volumeOf(value));
        break;
      case "env": {
        const kv = kvOf(value);
        if (!value.includes("="))
          throw invalid(
            "env",
            `-e ${value} takes its value from your shell, which the app cannot see: write ${value}=value.`,
          );
        spec.env.push(kv);
        break;
      }
      case "envFiles":
        spec.envFiles.push(value);
        break;
      case "labels":
        spec.labels.push(kvOf(value));
        break;
      case "restart":
        spec.restart = restartOf(value);
        break;
      default:
        (spec as Record<string, unknown>)[target] = value;
    }
  }
  const image = words[i];
  if (image === undefined) throw invalid("line", "The command names no image.");
  spec.image = image;
  spec.command = words.slice(i + 1);
  return spec;
}

const PORT =
  /^(?:(\[[^\]]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d+(?:-\d+)?)?:)?(\d+(?:-\d+)?)(?:\/(tcp|udp|sctp))?$/;

function checkPort(p: string, field: string): void {
  const m = PORT.exec(p);
  if (!m) throw invalid(field, `“${p}” is not a port mapping: write HOST:CONTAINER, like 8080:80.`);
  for (const part of [m[2], m[3]]) {
    for (const n of part?.split("-") ?? []) {
      const v = Number(n);
      if (!Number.isInteger(v) || v < 1 || v > 65535)
        throw invalid(field, `${n} is not a port number (1–65535)`);
    }
  }
}

/** The host port a mapping publishes on, if it names one. */
export function hostPort(p: string): number | null {
  const m = PORT.exec(p);
  return m?.[2] ? Number(m[2].split("-")[0]) : null;
}

/** Validates a spec as the app would: throws InvalidInput with the field, or lists the risks. */
export function checkRunSpec(spec: RunSpec): RunCheck {
  const image = spec.image.trim();
  if (!image) throw invalid("image", "Choose an image to run.");
  if (/\s/.test(image) || /[A-Z]/.test(image.split(":")[0] ?? ""))
    throw invalid("image", `“${image}” is not an image reference.`);
  if (spec.name !== null && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(spec.name))
    throw invalid(
      "name",
      `“${spec.name}” is not a container name: letters, digits, “_”, “.” and “-”, starting with a letter or digit.`,
    );
  spec.ports.forEach((p, i) => checkPort(p, `ports[${i}]`));
  spec.volumes.forEach((v, i) => {
    if (!v.target)
      throw invalid(`volumes[${i}].target`, "Where in the container? Give a path like /data.");
    if (!v.target.startsWith("/"))
      throw invalid(
        `volumes[${i}].target`,
        `“${v.target}” is not an absolute path (start it with /).`,
      );
    if (v.source && !v.source.startsWith("/") && /[/\\]|^\.|^~/.test(v.source))
      throw invalid(
        `volumes[${i}].source`,
        `“${v.source}” is a relative path: choose a folder (an absolute path) or give a volume name.`,
      );
  });
  for (const [list, what] of [
    ["env", "variable"],
    ["labels", "label"],
  ] as const) {
    spec[list].forEach((kv, i) => {
      if (!kv.key || /[\s=]/.test(kv.key))
        throw invalid(`${list}[${i}].key`, `A ${what} needs a name, without spaces or “=”.`);
    });
  }
  spec.envFiles.forEach((f, i) => {
    if (!f.startsWith("/")) throw invalid(`envFiles[${i}]`, "Give the env file's absolute path.");
  });
  if (spec.restart.policy === "on-failure" && (spec.restart.maxRetries ?? 0) < 0)
    throw invalid("restart", "Max retries is 0 or more (empty for no limit).");
  if (spec.restart.policy !== "no" && spec.remove)
    throw invalid(
      "restart",
      "A container removed when it stops cannot be restarted: choose “no” or untick “Remove when stopped”.",
    );

  const risks: Risk[] = [];
  if (spec.privileged)
    risks.push({
      field: "privileged",
      message:
        "Privileged: the container gets every capability and all host devices; it can take over this machine.",
    });
  if (spec.network === "host")
    risks.push({
      field: "network",
      message:
        "Host network: the container shares this machine's network, including services listening on localhost only.",
    });
  if (spec.pid === "host")
    risks.push({
      field: "pid",
      message:
        "Host PID namespace: the container sees (and can signal) every process on this machine.",
    });
  spec.volumes.forEach((v, i) => {
    if (v.source === "/")
      risks.push({
        field: `volumes[${i}].source`,
        message: `Mounts this machine's whole filesystem (/) at ${v.target}${v.readOnly ? ", read-only" : ", writable"}.`,
      });
    if (v.source === "/var/run/docker.sock")
      risks.push({
        field: `volumes[${i}].source`,
        message: "Mounts the Docker socket: the container can control Docker, and so this machine.",
      });
  });
  return { line: runLine(spec), risks };
}

/** The `docker run …` line of a spec. */
export function runLine(spec: RunSpec): string {
  const w = ["docker", "run"];
  if (spec.detach) w.push("-d");
  if (spec.interactive) w.push("-i");
  if (spec.tty) w.push("-t");
  if (spec.remove) w.push("--rm");
  if (spec.name) w.push("--name", spec.name);
  for (const p of spec.ports) w.push("-p", p);
  if (spec.publishAll) w.push("-P");
  for (const v of spec.volumes)
    w.push("-v", v.source ? `${v.source}:${v.target}${v.readOnly ? ":ro" : ""}` : v.target);
  for (const kv of spec.env) w.push("-e", `${kv.key}=${kv.value}`);
  for (const f of spec.envFiles) w.push("--env-file", f);
  for (const kv of spec.labels) w.push("--label", `${kv.key}=${kv.value}`);
  const r = spec.restart;
  if (r.policy !== "no")
    w.push(
      "--restart",
      r.policy === "on-failure" && r.maxRetries != null ? `on-failure:${r.maxRetries}` : r.policy,
    );
  if (spec.entrypoint !== null) w.push("--entrypoint", spec.entrypoint);
  if (spec.workdir) w.push("-w", spec.workdir);
  if (spec.user) w.push("-u", spec.user);
  if (spec.hostname) w.push("-h", spec.hostname);
  if (spec.network) w.push("--network", spec.network);
  if (spec.pid) w.push("--pid", spec.pid);
  if (spec.privileged) w.push("--privileged");
  w.push(spec.image, ...spec.command);
  return w.map(quoteWord).join(" ");
}

/** What a pretend container prints, and its exit code (null: it keeps running). */
export function runScript(spec: RunSpec): { lines: string[]; code: number | null } {
  const words = [...(spec.entrypoint ? [spec.entrypoint] : []), ...spec.command];
  const text = words.join(" ");
  const echoes = [...text.matchAll(/echo\s+([^;&|]*)/g)].map((m) =>
    m[1]!.trim().replace(/^['"]|['"]$/g, ""),
  );
  const exit = /\bexit\s+(\d+)/.exec(text);
  if (exit) return { lines: echoes, code: Number(exit[1]) };
  if (words[0] === "false") return { lines: echoes, code: 1 };
  if (/\b(sleep|tail)\b/.test(text)) return { lines: echoes, code: null };
  if (echoes.length) return { lines: echoes, code: 0 };
  if (words.length) return { lines: [], code: 0 };
  if (/nginx/.test(spec.image))
    return {
      lines: [
        "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
        "2024/11/28 09:14:02 [notice] 1#1: nginx/1.27.3",
        "2024/11/28 09:14:02 [notice] 1#1: start worker processes",
      ],
      code: null,
    };
  if (/postgres/.test(spec.image)) {
    if (!spec.env.some((kv) => kv.key === "POSTGRES_PASSWORD"))
      return {
        lines: [
          "Error: Database is uninitialized and superuser password is not specified.",
          '       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".',
        ],
        code: 1,
      };
    return {
      lines: [
        "PostgreSQL init process complete; ready for start up.",
        "database system is ready to accept connections",
      ],
      code: null,
    };
  }
  if (/hello-world/.test(spec.image))
    return {
      lines: [
        "",
        "Hello from Docker!",
        "This message shows that your installation appears to be working correctly.",
      ],
      code: 0,
    };
  // A shell: it waits for input with a terminal, and ends at once without one.
  if (spec.interactive || spec.tty) return { lines: [], code: null };
  if (/busybox|alpine|ubuntu|debian/.test(spec.image)) return { lines: [], code: 0 };
  return { lines: [`Starting ${spec.image}…`, "Listening on :8080"], code: null };
}

const ADJECTIVES = ["brave", "quiet", "eager", "jolly", "stoic", "vibrant", "zealous", "focused"];
const NAMES = [
  "hopper",
  "turing",
  "lovelace",
  "curie",
  "noether",
  "shannon",
  "ritchie",
  "hamilton",
];

/** A Docker-like generated name. */
export function generatedName(n: number): string {
  return `${ADJECTIVES[n % ADJECTIVES.length]}_${NAMES[Math.floor(n / ADJECTIVES.length) % NAMES.length]}`;
}
