import { describe, expect, it } from "vitest";
import { fullOptions, newOpId, toIpcError } from "./backend";

describe("toIpcError", () => {
  it("keeps code, message and field, dropping the engine's `field: ` prefix", () => {
    expect(
      toIpcError({
        code: "InvalidInput",
        message: "tags: “MyApp” has uppercase letters",
        field: "tags",
      }),
    ).toEqual({ code: "InvalidInput", message: "“MyApp” has uppercase letters", field: "tags" });
    expect(toIpcError({ code: "Conflict", message: "in use" })).toEqual({
      code: "Conflict",
      message: "in use",
      field: null,
    });
    expect(toIpcError(new Error("boom"))).toEqual({ code: "Other", message: "boom", field: null });
  });
});

describe("helpers", () => {
  it("fills the build options serde may leave out", () => {
    expect(fullOptions({ tags: ["a"] })).toEqual({
      dockerfile: "",
      tags: ["a"],
      buildArgs: [],
      target: null,
      noCache: false,
      pull: false,
      labels: [],
    });
  });

  it("gives unique operation ids", () => {
    const a = newOpId("build");
    const b = newOpId("build");
    expect(a).toMatch(/^build-\d+-\d+$/);
    expect(a).not.toBe(b);
  });
});
