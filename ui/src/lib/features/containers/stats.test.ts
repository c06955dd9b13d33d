import { describe, expect, it } from "vitest";
import {
  appendSample,
  chartPaths,
  formatPercent,
  formatRate,
  memoryPercent,
  niceMax,
  rate,
  toPoints,
} from "./stats";
import type { StatsSample } from "./types";

function sample(over: Partial<StatsSample> & { at: number }): StatsSample {
  return {
    id: "c1",
    cpuPercent: 0,
    memoryBytes: 0,
    memoryLimit: 0,
    netRx: 0,
    netTx: 0,
    blockRead: 0,
    blockWrite: 0,
    pids: 1,
    ...over,
  };
}

describe("rate", () => {
  it("is the counter's growth per second", () => {
    expect(rate(1_000, 3_000, 1_000)).toBe(2_000);
    expect(rate(1_000, 3_000, 500)).toBe(4_000);
    expect(rate(5_000, 5_000, 1_000)).toBe(0);
  });

  it("is unknown when the counter went backwards (a restart) or no time passed", () => {
    expect(rate(9_000, 200, 1_000)).toBeNull();
    expect(rate(1_000, 2_000, 0)).toBeNull();
    expect(rate(1_000, 2_000, -5)).toBeNull();
  });
});

describe("toPoints", () => {
  it("takes cpu and memory as they are, and rates from consecutive samples", () => {
    const points = toPoints([
      sample({ at: 10_000, cpuPercent: 12.5, memoryBytes: 256e6, memoryLimit: 1024e6, netRx: 0 }),
      sample({
        at: 11_000,
        cpuPercent: 30,
        memoryBytes: 512e6,
        memoryLimit: 1024e6,
        netRx: 50_000,
        netTx: 1_000,
        blockRead: 4_096,
        blockWrite: 8_192,
      }),
      sample({
        at: 13_000,
        cpuPercent: 1,
        memoryBytes: 100e6,
        memoryLimit: 0,
        netRx: 150_000,
        netTx: 1_000,
        blockRead: 4_096,
        blockWrite: 16_384,
      }),
    ]);
    expect(points.map((p) => p.cpu)).toEqual([12.5, 30, 1]);
    expect(points.map((p) => p.memory)).toEqual([256e6, 512e6, 100e6]);
    expect(points.map((p) => p.memoryPercent)).toEqual([25, 50, null]);
    // The first sample has nothing before it.
    expect(points[0]).toMatchObject({
      netRx: null,
      netTx: null,
      blockRead: null,
      blockWrite: null,
    });
    expect(points[1]).toMatchObject({
      netRx: 50_000,
      netTx: 1_000,
      blockRead: 4_096,
      blockWrite: 8_192,
    });
    // Two seconds between the last two: per-second rates halve.
    expect(points[2]).toMatchObject({ netRx: 50_000, netTx: 0, blockRead: 0, blockWrite: 4_096 });
  });

  it("leaves a gap where a counter reset (restart), then carries on from the new counters", () => {
    const points = toPoints([
      sample({ at: 1_000, netRx: 900_000, blockWrite: 70_000 }),
      sample({ at: 2_000, netRx: 1_000, blockWrite: 500 }),
      sample({ at: 3_000, netRx: 3_000, blockWrite: 1_500 }),
    ]);
    expect(points.map((p) => p.netRx)).toEqual([null, null, 2_000]);
    expect(points.map((p) => p.blockWrite)).toEqual([null, null, 1_000]);
  });
});

describe("memoryPercent", () => {
  it("is relative to the limit", () => {
    expect(memoryPercent({ memoryBytes: 512, memoryLimit: 2048 })).toBe(25);
    expect(memoryPercent({ memoryBytes: 512, memoryLimit: 0 })).toBeNull();
  });
});

describe("appendSample", () => {
  it("keeps the newest `max` samples and ignores repeats", () => {
    let h: StatsSample[] = [];
    for (let t = 1; t <= 5; t++) h = appendSample(h, sample({ at: t * 1000 }), 3);
    expect(h.map((s) => s.at)).toEqual([3000, 4000, 5000]);
    const same = appendSample(h, sample({ at: 5000, cpuPercent: 99 }), 3);
    expect(same).toBe(h);
  });
});

describe("niceMax", () => {
  it("rounds up to 1, 2 or 5 × 10ⁿ, never under the floor", () => {
    expect(niceMax([3, 42, null, 17])).toBe(50);
    expect(niceMax([0.3], 1)).toBe(1);
    expect(niceMax([101], 100)).toBe(200);
    expect(niceMax([1_500_000])).toBe(2_000_000);
    expect(niceMax([5_000])).toBe(5_000);
    expect(niceMax([], 100)).toBe(100);
  });
});

describe("chartPaths", () => {
  it("puts the newest point at the right edge, scaled to max", () => {
    const { line, area } = chartPaths([0, 50, 100], 100, 100, 10, 5);
    // Five slots 25 px apart: three values take the last three.
    expect(line).toBe("M50 10 L75 5 L100 0");
    expect(area).toBe("M50 10 L50 10 L75 5 L100 0 L100 10 Z");
  });

  it("breaks the line at unknown values and clamps to the frame", () => {
    const { line, area } = chartPaths([10, null, 20, 300], 100, 30, 10, 4);
    expect(line).toBe("M0 9 M20 8 L30 0");
    // A lone point has no area.
    expect(area).toBe("M20 10 L20 8 L30 0 L30 10 Z");
  });

  it("draws only the last `slots` values", () => {
    expect(chartPaths([1, 2, 3, 4], 4, 10, 4, 2).line).toBe("M0 1 L10 0");
    expect(chartPaths([], 4, 10, 4, 2)).toEqual({ line: "", area: "" });
  });
});

describe("formatting", () => {
  it("formats percentages and rates", () => {
    expect(formatPercent(12.345)).toBe("12.3%");
    expect(formatPercent(null)).toBe("—");
    expect(formatRate(1_200_000)).toBe("1.20 MB/s");
    expect(formatRate(0)).toBe("0 B/s");
    expect(formatRate(null)).toBe("—");
  });
});
