import type { ImageSummary } from "../../ipc/backend";

export interface ImageRow {
  key: string;
  repository: string;
  tag: string;
  id: string;
  size: number;
  created: number;
  containers: number;
  dangling: boolean;
}

/** One row per `repo:tag`, like `docker images`; an untagged image is one `<none>` row. */
export function imageRows(images: ImageSummary[]): ImageRow[] {
  const rows: ImageRow[] = [];
  for (const img of images) {
    const base = { id: img.id, size: img.size, created: img.created, containers: img.containers };
    if (img.repoTags.length === 0) {
      const digest = img.repoDigests[0];
      rows.push({
        ...base,
        key: img.id,
        repository: digest ? digest.slice(0, digest.lastIndexOf("@")) : "<none>",
        tag: "<none>",
        dangling: true,
      });
      continue;
    }
    for (const ref of img.repoTags) {
      const colon = ref.lastIndexOf(":");
      const slash = ref.lastIndexOf("/");
      const hasTag = colon > slash;
      rows.push({
        ...base,
        key: `${img.id} ${ref}`,
        repository: hasTag ? ref.slice(0, colon) : ref,
        tag: hasTag ? ref.slice(colon + 1) : "latest",
        dangling: false,
      });
    }
  }
  return rows;
}

export function filterImageRows(rows: ImageRow[], query: string): ImageRow[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return rows;
  return rows.filter((r) => {
    const hay = `${r.repository}:${r.tag}`.toLowerCase();
    const id = r.id.replace(/^sha256:/, "");
    return terms.every((t) => hay.includes(t) || id.startsWith(t));
  });
}

/** The Dangling switch: every image, tagged ones only, or dangling (untagged) ones only. */
export type DanglingMode = "all" | "tagged" | "dangling";

export function filterDangling(rows: ImageRow[], mode: DanglingMode): ImageRow[] {
  if (mode === "all") return rows;
  const want = mode === "dangling";
  return rows.filter((r) => r.dangling === want);
}

/** The reference to act on for a row: its `repo:tag`, or the image id when it has no tag. */
export function rowReference(r: ImageRow): string {
  return r.dangling ? r.id : `${r.repository}:${r.tag}`;
}
