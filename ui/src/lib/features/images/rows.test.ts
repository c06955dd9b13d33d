import { describe, expect, it } from "vitest";
import { filterDangling, filterImageRows, imageRows, rowReference } from "./rows";
import { image } from "../../ipc/mock";

describe("imageRows", () => {
  it("gives one row per tag and splits registry ports correctly", () => {
    const rows = imageRows([
      image({ id: "sha256:aaa", repoTags: ["busybox:latest", "localhost:5000/team/busybox:1.36"] }),
    ]);
    expect(rows.map((r) => [r.repository, r.tag])).toEqual([
      ["busybox", "latest"],
      ["localhost:5000/team/busybox", "1.36"],
    ]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(2);
  });

  it("shows untagged images as <none>, keeping the repository of a digest", () => {
    const rows = imageRows([
      image({ id: "sha256:bbb" }),
      image({ id: "sha256:ccc", repoDigests: ["alpine@sha256:1234"] }),
    ]);
    expect(rows.map((r) => [r.repository, r.tag, r.dangling])).toEqual([
      ["<none>", "<none>", true],
      ["alpine", "<none>", true],
    ]);
  });

  it("filters by reference and id prefix", () => {
    const rows = imageRows([
      image({ id: "sha256:abc", repoTags: ["nginx:1.27"] }),
      image({ id: "sha256:def", repoTags: ["redis:7"] }),
    ]);
    expect(filterImageRows(rows, "nginx").map((r) => r.tag)).toEqual(["1.27"]);
    expect(filterImageRows(rows, "def").map((r) => r.repository)).toEqual(["redis"]);
    expect(filterImageRows(rows, "sha256")).toEqual([]);
  });
});

describe("the Dangling switch", () => {
  const rows = imageRows([
    image({ id: "sha256:aaa", repoTags: ["nginx:1.27", "nginx:latest"] }),
    image({ id: "sha256:bbb" }),
    image({ id: "sha256:ccc", repoDigests: ["alpine@sha256:1234"] }),
  ]);

  it("shows all, tagged only or dangling only", () => {
    expect(filterDangling(rows, "all")).toHaveLength(4);
    expect(filterDangling(rows, "tagged").map((r) => r.tag)).toEqual(["1.27", "latest"]);
    expect(filterDangling(rows, "dangling").map((r) => r.id)).toEqual(["sha256:bbb", "sha256:ccc"]);
  });

  it("acts on a tag, or on the id of a dangling image", () => {
    expect(rows.map(rowReference)).toEqual([
      "nginx:1.27",
      "nginx:latest",
      "sha256:bbb",
      "sha256:ccc",
    ]);
  });
});
