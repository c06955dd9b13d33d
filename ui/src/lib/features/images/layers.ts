// The Layers tab: `docker history` rows with their size relative to the biggest layer.

import type { HistoryEntry } from "../../ipc/backend";

export interface LayerRow {
  key: string;
  /** The Dockerfile instruction: RUN, COPY, ADD, CMD… ("" when unknown). */
  instruction: string;
  /** What made the layer, without the shell and builder noise. */
  command: string;
  /** The daemon's text, for the full view. */
  raw: string;
  size: number;
  /** Size relative to the biggest layer, 0–1. */
  fraction: number;
  /** One of the three biggest layers (that have a size). */
  top: boolean;
  created: number;
  comment: string;
}

/** `/bin/sh -c #(nop)  CMD ["sh"]` → `CMD ["sh"]`, `RUN /bin/sh -c apk add x # buildkit` → `RUN apk add x`. */
export function cleanCreatedBy(createdBy: string): string {
  let s = createdBy.trim().replace(/\s*# buildkit$/, "");
  const nop = /^\/bin\/sh -c #\(nop\)\s+([\s\S]*)$/.exec(s);
  if (nop) s = nop[1]!.trim();
  else if (s.startsWith("/bin/sh -c ")) s = `RUN ${s.slice("/bin/sh -c ".length)}`;
  s = s.replace(/^RUN \|\d+ [^/]*?\/bin\/sh -c /, "RUN ").replace(/^RUN \/bin\/sh -c /, "RUN ");
  return s;
}

export function layerRows(history: HistoryEntry[]): { rows: LayerRow[]; total: number } {
  const max = Math.max(0, ...history.map((h) => h.size));
  const ranked = history
    .map((h, i) => ({ i, size: h.size }))
    .filter((x) => x.size > 0)
    .sort((a, b) => b.size - a.size || a.i - b.i)
    .slice(0, 3)
    .map((x) => x.i);
  const rows = history.map((h, i) => {
    const command = cleanCreatedBy(h.createdBy);
    return {
      key: `${i}-${h.id}`,
      instruction: /^[A-Z]+(?=\s|$)/.exec(command)?.[0] ?? "",
      command,
      raw: h.createdBy,
      size: h.size,
      fraction: max > 0 ? Math.max(0, h.size) / max : 0,
      top: ranked.includes(i),
      created: h.created,
      comment: h.comment,
    };
  });
  return { rows, total: history.reduce((s, h) => s + Math.max(0, h.size), 0) };
}
