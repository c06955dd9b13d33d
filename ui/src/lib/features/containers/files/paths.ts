// Container paths and how files are shown: pure functions, unit-tested.

import { formatBytes } from "../../../format";
import type { CopyReport, FileEntry, FileKind } from "./types";

/** An absolute path with `.`, `..` and repeated slashes resolved (the engine's rule). */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return `/${parts.join("/")}`;
}

/** What was typed in the path box: absolute, or relative to the folder shown. */
export function resolvePath(input: string, cwd: string): string {
  const t = input.trim();
  if (!t) return normalizePath(cwd);
  return normalizePath(t.startsWith("/") ? t : `${cwd}/${t}`);
}

export function parentPath(path: string): string {
  return normalizePath(`${normalizePath(path)}/..`);
}

/** The last part of a host or container path (either slash). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}

export interface Crumb {
  name: string;
  path: string;
}

/** `/etc/nginx` → `/`, `etc`, `nginx`, each with the folder it opens. */
export function crumbs(path: string): Crumb[] {
  const out: Crumb[] = [{ name: "/", path: "/" }];
  let at = "";
  for (const p of normalizePath(path).split("/").filter(Boolean)) {
    at += `/${p}`;
    out.push({ name: p, path: at });
  }
  return out;
}

/** Folders first, then by name (code units, as the engine sorts). */
export function sortEntries(entries: FileEntry[]): FileEntry[] {
  return [...entries].sort((a, b) => {
    const da = a.kind === "dir";
    const db = b.kind === "dir";
    if (da !== db) return da ? -1 : 1;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

/** Double-click or Enter opens folders, and links (which may point at one). */
export function opens(e: FileEntry): boolean {
  return e.kind === "dir" || e.kind === "symlink";
}

/** `ls -l`'s mode column: `drwxr-xr-x`, `lrwxrwxrwx`, `-rwsr-xr-x`, `drwxrwxrwt`. */
export function modeString(kind: FileKind, mode: number): string {
  const type = kind === "dir" ? "d" : kind === "symlink" ? "l" : kind === "other" ? "?" : "-";
  const bit = (m: number, c: string) => (mode & m ? c : "-");
  const special = (x: number, s: number, on: string) =>
    mode & s ? (mode & x ? on : on.toUpperCase()) : mode & x ? "x" : "-";
  return (
    type +
    bit(0o400, "r") +
    bit(0o200, "w") +
    special(0o100, 0o4000, "s") +
    bit(0o040, "r") +
    bit(0o020, "w") +
    special(0o010, 0o2000, "s") +
    bit(0o004, "r") +
    bit(0o002, "w") +
    special(0o001, 0o1000, "t")
  );
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Local `2024-11-28 09:30` from unix seconds; an empty string for none. */
export function formatModified(unixSeconds: number): string {
  if (!unixSeconds || !Number.isFinite(unixSeconds)) return "";
  const d = new Date(unixSeconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function count(n: number, one: string): string {
  return `${n.toLocaleString("en-US")} ${one}${n === 1 ? "" : "s"}`;
}

/** "Copied 12 files, 3 folders, 1.20 MB to /home/me/out/site". */
export function reportSummary(r: CopyReport): string {
  const parts = [count(r.files, "file")];
  if (r.dirs) parts.push(count(r.dirs, "folder"));
  if (r.links) parts.push(count(r.links, "link"));
  parts.push(formatBytes(r.bytes));
  return `Copied ${parts.join(", ")} to ${r.target}`;
}
