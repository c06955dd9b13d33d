import { describe, expect, it } from "vitest";
import { cleanCreatedBy, layerRows } from "./layers";
import type { HistoryEntry } from "../../ipc/backend";

const h = (createdBy: string, size: number): HistoryEntry => ({
  id: "<missing>",
  created: 1,
  createdBy,
  size,
  tags: [],
  comment: "",
});

describe("layers", () => {
  it("cleans the builder's noise from what made a layer", () => {
    expect(cleanCreatedBy('/bin/sh -c #(nop)  CMD ["sh"]')).toBe('CMD ["sh"]');
    expect(cleanCreatedBy("/bin/sh -c apk add --no-cache curl")).toBe(
      "RUN apk add --no-cache curl",
    );
    expect(cleanCreatedBy("RUN /bin/sh -c npm ci # buildkit")).toBe("RUN npm ci");
    expect(cleanCreatedBy("RUN |2 A=1 B=2 /bin/sh -c make # buildkit")).toBe("RUN make");
    expect(cleanCreatedBy("COPY . . # buildkit")).toBe("COPY . .");
  });

  it("sizes each layer against the biggest and marks the top three", () => {
    const { rows, total } = layerRows([
      h("CMD x", 0),
      h("COPY a", 10),
      h("RUN b", 400),
      h("RUN c", 100),
      h("RUN d", 50),
      h("ADD e", 200),
    ]);
    expect(total).toBe(760);
    expect(rows.map((r) => r.fraction)).toEqual([0, 0.025, 1, 0.25, 0.125, 0.5]);
    expect(rows.filter((r) => r.top).map((r) => r.command)).toEqual(["RUN b", "RUN c", "ADD e"]);
    expect(rows.map((r) => r.instruction)).toEqual(["CMD", "COPY", "RUN", "RUN", "RUN", "ADD"]);
  });

  it("marks no empty layer as big", () => {
    const { rows } = layerRows([h("CMD x", 0), h("ENV y", 0)]);
    expect(rows.some((r) => r.top)).toBe(false);
    expect(layerRows([]).total).toBe(0);
  });
});
