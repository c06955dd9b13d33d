import { describe, expect, it } from "vitest";
import {
  baseName,
  crumbs,
  modeString,
  normalizePath,
  parentPath,
  reportSummary,
  resolvePath,
  sortEntries,
} from "./paths";
import type { FileEntry, FileKind } from "./types";

const entry = (name: string, kind: FileKind): FileEntry => ({
  name,
  path: `/x/${name}`,
  kind,
  size: 0,
  mode: 0o644,
  modified: 0,
  linkTarget: null,
});

describe("paths", () => {
  it("normalises as the engine does", () => {
    expect(normalizePath("/")).toBe("/");
    expect(normalizePath("//etc///nginx/./conf.d/../")).toBe("/etc/nginx");
    expect(normalizePath("/../..")).toBe("/");
  });

  it("resolves a typed path against the folder shown", () => {
    expect(resolvePath("nginx", "/etc")).toBe("/etc/nginx");
    expect(resolvePath("../usr", "/etc")).toBe("/usr");
    expect(resolvePath(" /var/log/ ", "/etc")).toBe("/var/log");
    expect(resolvePath("", "/etc")).toBe("/etc");
  });

  it("parents, base names and breadcrumbs", () => {
    expect(parentPath("/etc/nginx")).toBe("/etc");
    expect(parentPath("/etc")).toBe("/");
    expect(parentPath("/")).toBe("/");
    expect(baseName("/home/me/data/")).toBe("data");
    expect(baseName("C:\\Users\\me\\notes.txt")).toBe("notes.txt");
    expect(crumbs("/etc/nginx")).toEqual([
      { name: "/", path: "/" },
      { name: "etc", path: "/etc" },
      { name: "nginx", path: "/etc/nginx" },
    ]);
    expect(crumbs("/")).toEqual([{ name: "/", path: "/" }]);
  });

  it("sorts folders first, then by name", () => {
    const sorted = sortEntries([
      entry("b.txt", "file"),
      entry("lib", "symlink"),
      entry("zeta", "dir"),
      entry("Alpha", "dir"),
      entry("a.txt", "file"),
    ]);
    expect(sorted.map((e) => e.name)).toEqual(["Alpha", "zeta", "a.txt", "b.txt", "lib"]);
  });

  it("writes modes as ls -l does", () => {
    expect(modeString("dir", 0o755)).toBe("drwxr-xr-x");
    expect(modeString("symlink", 0o777)).toBe("lrwxrwxrwx");
    expect(modeString("file", 0o4755)).toBe("-rwsr-xr-x");
    expect(modeString("file", 0o2644)).toBe("-rw-r-Sr--");
    expect(modeString("dir", 0o1777)).toBe("drwxrwxrwt");
    expect(modeString("other", 0o600)).toBe("?rw-------");
  });

  it("sums a copy up", () => {
    expect(
      reportSummary({
        files: 12,
        dirs: 3,
        links: 1,
        bytes: 1_200_000,
        skipped: [],
        target: "/home/me/out/site",
      }),
    ).toBe("Copied 12 files, 3 folders, 1 link, 1.20 MB to /home/me/out/site");
    expect(
      reportSummary({ files: 1, dirs: 0, links: 0, bytes: 615, skipped: [], target: "/tmp/x" }),
    ).toBe("Copied 1 file, 615 B to /tmp/x");
  });
});
