// What a container's state allows, how it is shown, and how actions are worded. Pure functions.

import type { ContainerSummary, PortMapping } from "../../ipc/backend";
import type { ActionReport, ContainerAction } from "./types";

export type ActionKind = ContainerAction["kind"];

export const ACTION_KINDS: ActionKind[] = [
  "start",
  "stop",
  "restart",
  "pause",
  "unpause",
  "kill",
  "remove",
];

export const ACTION_WORDS: Record<ActionKind, { verb: string; ing: string; done: string }> = {
  start: { verb: "Start", ing: "Starting", done: "Started" },
  stop: { verb: "Stop", ing: "Stopping", done: "Stopped" },
  restart: { verb: "Restart", ing: "Restarting", done: "Restarted" },
  pause: { verb: "Pause", ing: "Pausing", done: "Paused" },
  unpause: { verb: "Unpause", ing: "Unpausing", done: "Unpaused" },
  kill: { verb: "Kill", ing: "Killing", done: "Killed" },
  remove: { verb: "Remove", ing: "Removing", done: "Removed" },
};

/** The action with the daemon's defaults (stop timeout, SIGKILL, no force). */
export function defaultAction(kind: ActionKind): ContainerAction {
  switch (kind) {
    case "stop":
    case "restart":
      return { kind, timeout: null };
    case "kill":
      return { kind, signal: null };
    case "remove":
      return { kind, force: false, volumes: false };
    default:
      return { kind };
  }
}

/** A process runs in it (or is frozen, or comes back). */
export function isUp(state: string): boolean {
  return state === "running" || state === "paused" || state === "restarting";
}

/** Whether the action makes sense in that state (the daemon refuses or ignores the others). */
export function canDo(kind: ActionKind, state: string): boolean {
  switch (kind) {
    case "start":
      return !isUp(state) && state !== "removing";
    case "stop":
    case "kill":
      return isUp(state);
    case "restart":
      return state !== "removing" && state !== "dead";
    case "pause":
      return state === "running";
    case "unpause":
      return state === "paused";
    case "remove":
      return state !== "removing";
  }
}

/** Whether the action's effect shows in the list yet (for progress); restart cannot be told. */
export function reached(kind: ActionKind, c: ContainerSummary | undefined): boolean | null {
  if (kind === "remove") return !c;
  if (!c) return true;
  switch (kind) {
    case "start":
    case "unpause":
      return c.state === "running";
    case "stop":
      return !isUp(c.state);
    case "kill":
      return null;
    case "pause":
      return c.state === "paused";
    default:
      return null;
  }
}

/** The exit code in the daemon's status ("Exited (137) 2 hours ago"). */
export function exitCodeOf(status: string): number | null {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : null;
}

/** The state badge: "running", "paused", "exited (137)", "created", "restarting"… */
export function stateLabel(c: Pick<ContainerSummary, "state" | "status">): string {
  if (c.state === "exited") {
    const code = exitCodeOf(c.status);
    return code == null ? "exited" : `exited (${code})`;
  }
  return c.state || "unknown";
}

/** A published port the user can open, and the text for it. */
export type PortLink = {
  /** `8080→80`, `127.0.0.1:3000→3000`, `53→53/udp`, `443` (exposed only). */
  label: string;
  /** `http://localhost:8080/`; null for a port that is not published over TCP. */
  url: string | null;
};

/** A wildcard binding (or none): the port answers on every address, localhost included. */
function isWildcard(ip: string | null): boolean {
  return ip == null || ip === "" || ip === "0.0.0.0" || ip === "::";
}

/**
 * The address a published port opens at, in the one form the app's `portOpen` accepts:
 * `http://localhost:8080/` (wildcard), `http://[::1]:8080/` (IPv6), `http://127.0.0.1:8080/`.
 */
export function portUrl(ip: string | null, port: number): string {
  if (isWildcard(ip)) return `http://localhost:${port}/`;
  return ip!.includes(":") ? `http://[${ip}]:${port}/` : `http://${ip}:${port}/`;
}

/** Published ports with the address to open them at; the IPv4 and IPv6 wildcards once. */
export function portLinks(ports: PortMapping[]): PortLink[] {
  const out: PortLink[] = [];
  for (const p of ports) {
    const proto = p.protocol === "tcp" ? "" : `/${p.protocol}`;
    let link: PortLink;
    if (p.publicPort == null) link = { label: `${p.privatePort}${proto}`, url: null };
    else {
      const host = isWildcard(p.ip) ? null : p.ip!.includes(":") ? `[${p.ip}]` : p.ip!;
      link = {
        label: `${host ? `${host}:` : ""}${p.publicPort}→${p.privatePort}${proto}`,
        url: p.protocol === "tcp" ? portUrl(p.ip, p.publicPort) : null,
      };
    }
    if (!out.some((o) => o.label === link.label)) out.push(link);
  }
  return out;
}

/** "web", "web and db", "web, db and cache", "5 containers". */
export function nameList(names: string[], max = 3): string {
  if (names.length === 0) return "no containers";
  if (names.length > max) return `${names.length} containers`;
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** "Stopped web and db", "Removed 4 containers; 1 failed". */
export function reportText(
  kind: ActionKind,
  report: ActionReport,
  nameOf: (id: string) => string,
): string {
  const done = report.done.length
    ? `${ACTION_WORDS[kind].done} ${nameList(report.done.map(nameOf))}`
    : `Nothing was ${ACTION_WORDS[kind].done.toLowerCase()}`;
  const n = report.failed.length;
  return n ? `${done}; ${n} failed` : done;
}

/**
 * Why a container name would be refused, for instant feedback while typing (the engine checks
 * again): Docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
 */
export function nameProblem(name: string): string | null {
  const n = name.trim();
  if (!n) return "A container needs a name.";
  if (/\s/.test(n)) return "No spaces: letters, digits, “_”, “.” and “-” only.";
  if (!/^[a-zA-Z0-9]/.test(n)) return "Start with a letter or a digit.";
  const bad = [...new Set(n.replace(/[a-zA-Z0-9_.-]/g, ""))];
  if (bad.length)
    return `“${bad.join("")}” cannot be used: letters, digits, “_”, “.” and “-” only.`;
  if (n.length < 2) return "Two characters at least.";
  return null;
}
