import { describe, expect, it } from "vitest";
import { layerView, overallView, percent } from "./transfer";
import type { LayerProgress } from "../ipc/backend";

const layer = (over: Partial<LayerProgress>): LayerProgress => ({
  id: "a1b2c3",
  status: "Waiting",
  current: 0,
  total: 0,
  transferred: 0,
  size: 0,
  done: false,
  ...over,
});

describe("layerView", () => {
  it("is indeterminate until the size is known", () => {
    expect(layerView(layer({}))).toMatchObject({ fraction: null, bytes: "" });
  });

  it("counts the transfer against the layer's size", () => {
    const v = layerView(
      layer({ status: "Downloading", current: 5e6, total: 20e6, transferred: 5e6, size: 20e6 }),
    );
    expect(v.fraction).toBe(0.25);
    expect(v.bytes).toBe("5.00 MB / 20.0 MB");
  });

  it("is full once done, even while extracting restarted the phase counter", () => {
    expect(
      layerView(layer({ status: "Pull complete", done: true, size: 3e6, transferred: 3e6 }))
        .fraction,
    ).toBe(1);
    const extracting = layerView(
      layer({ status: "Extracting", current: 1e6, total: 3e6, transferred: 3e6, size: 3e6 }),
    );
    expect(extracting.fraction).toBe(1);
  });
});

describe("overallView", () => {
  it("sums bytes and counts finished layers", () => {
    const v = overallView({
      layers: [layer({ done: true }), layer({ id: "b" }), layer({ id: "c" })],
      current: 30e6,
      total: 120e6,
      layersDone: 1,
      status: "Pulling from library/nginx",
    });
    expect(v).toEqual({
      fraction: 0.25,
      bytes: "30.0 MB / 120 MB",
      layers: "1/3 layers",
      done: false,
    });
  });

  it("is done when every layer is, and empty before anything arrives", () => {
    expect(
      overallView({
        layers: [layer({ done: true })],
        current: 0,
        total: 0,
        layersDone: 1,
        status: null,
      }),
    ).toMatchObject({ fraction: 1, layers: "1/1 layer", done: true });
    expect(overallView(null)).toEqual({ fraction: null, bytes: "", layers: "", done: false });
  });

  it("gives CSS percentages", () => {
    expect(percent(0.12345)).toBe("12.3%");
    expect(percent(null)).toBe("0%");
    expect(percent(2)).toBe("100%");
  });
});
