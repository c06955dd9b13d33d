import { describe, expect, it } from "vitest";
import { decodeBatch } from "./batch";

describe("decodeBatch", () => {
  it("gives back the lines Rust joined", () => {
    const ts1 = "2024-05-01T10:00:00.000000001Z";
    const ts2 = "2024-05-01T10:00:00.000000002Z";
    // What `LogBatch::from` makes of: "a\r b" (stdout, ts1), "" (stderr, none), "c" (ts2).
    const lines = decodeBatch({ text: "a\r b\n\nc", timestamps: `${ts1}\n\n${ts2}`, stderr: [1] });
    expect(lines).toEqual([
      { stream: "stdout", timestamp: ts1, text: "a\r b" },
      { stream: "stderr", timestamp: null, text: "" },
      { stream: "stdout", timestamp: ts2, text: "c" },
    ]);
  });

  it("keeps one empty line as one line", () => {
    expect(decodeBatch({ text: "", timestamps: "", stderr: [] })).toEqual([
      { stream: "stdout", timestamp: null, text: "" },
    ]);
  });
});
