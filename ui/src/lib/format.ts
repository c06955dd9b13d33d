// Formatting helpers shared by the lists. Pure functions, unit-tested.

import type { PortMapping } from "./ipc/bindings";

const UNITS = ["B", "kB", "MB", "GB", "TB"];

/** Decimal sizes, as the docker CLI prints them (1 kB = 1000 B). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "—";
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${UNITS[u]}`;
}

/** "just now", "5 minutes ago", "3 days ago" from unix seconds. */
export function formatAge(unixSeconds: number, nowMs: number = Date.now()): string {
  if (!unixSeconds) return "—";
  const s = Math.max(0, Math.floor(nowMs / 1000 - unixSeconds));
  const steps: [number, string][] = [
    [60 * 60 * 24 * 365, "year"],
    [60 * 60 * 24 * 30, "month"],
    [60 * 60 * 24 * 7, "week"],
    [60 * 60 * 24, "day"],
    [60 * 60, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of steps) {
    if (s >= size) {
      const n = Math.floor(s / size);
      return `${n} ${name}${n === 1 ? "" : "s"} ago`;
    }
  }
  return s < 10 ? "just now" : `${s} seconds ago`;
}

/** Ports as `docker ps` shows them: 0.0.0.0:8080->80/tcp, 443/tcp. */
export function formatPort(p: PortMapping): string {
  const proto = `${p.privatePort}/${p.protocol}`;
  if (p.publicPort == null) return proto;
  const ip = p.ip ?? "0.0.0.0";
  const host = ip.includes(":") ? `[${ip}]` : ip;
  return `${host}:${p.publicPort}->${proto}`;
}

export function formatPorts(ports: PortMapping[]): string {
  return ports.map(formatPort).join(", ");
}

/**
 * Compact ports for a list cell: `8080→80`, `127.0.0.1:3000→3000`, `53→53/udp`, `443` (exposed,
 * not published). The IPv4 and IPv6 wildcard bindings of one port are shown once.
 */
export function formatPortsShort(ports: PortMapping[]): string {
  const out: string[] = [];
  for (const p of ports) {
    const proto = p.protocol === "tcp" ? "" : `/${p.protocol}`;
    let text: string;
    if (p.publicPort == null) text = `${p.privatePort}${proto}`;
    else {
      const wildcard = p.ip == null || p.ip === "0.0.0.0" || p.ip === "::";
      const host = wildcard ? "" : `${p.ip!.includes(":") ? `[${p.ip}]` : p.ip}:`;
      text = `${host}${p.publicPort}→${p.privatePort}${proto}`;
    }
    if (!out.includes(text)) out.push(text);
  }
  return out.join(", ");
}

/** The 12-character id the docker CLI shows. */
export function shortId(id: string): string {
  const bare = id.startsWith("sha256:") ? id.slice(7) : id;
  return bare.slice(0, 12);
}

/** "850 ms", "12.3 s", "2 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  return `${m} min ${String(sec).padStart(2, "0")} s`;
}

/** A local date and time for an RFC 3339 string or unix milliseconds; "—" when unknown. */
export function formatDateTime(when: string | number | null | undefined): string {
  if (when == null || when === "") return "—";
  const d = new Date(when);
  if (Number.isNaN(d.getTime())) return String(when);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The docker CLI's `6 months ago`-style age of an RFC 3339 string. */
export function formatAgeOf(rfc3339: string | null, nowMs: number = Date.now()): string {
  if (!rfc3339) return "—";
  const t = Date.parse(rfc3339);
  return Number.isNaN(t) ? "—" : formatAge(Math.floor(t / 1000), nowMs);
}
