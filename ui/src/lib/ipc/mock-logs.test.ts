import { describe, expect, it } from "vitest";
import { container, MockBackend } from "./mock";
import { mockLogLine, rfc3339Nano } from "./mock-logs";
import type { LogLine } from "../features/containers/logs/types";
import { decodeBatch } from "../features/containers/logs/batch";

describe("MockBackend logs", () => {
  it("generates the same lines every time, some coloured, some on stderr", () => {
    const lines = Array.from({ length: 60 }, (_, n) => mockLogLine(n, 0));
    expect(lines).toEqual(Array.from({ length: 60 }, (_, n) => mockLogLine(n, 0)));
    expect(lines.filter((l) => l.stream === "stderr").length).toBe(8); // 6 WARN + 2 ERROR
    expect(lines.filter((l) => l.text.includes("\x1b[")).length).toBe(14);
    expect(rfc3339Nano(Date.UTC(2024, 10, 28, 9, 30, 0, 137), 42)).toBe(
      "2024-11-28T09:30:00.137000042Z",
    );
  });

  it("sends the tail, then pushed lines, until cancelled", async () => {
    const b = new MockBackend();
    b.containers = [container({ name: "web" })];
    b.logs.history = 30;
    const got: LogLine[][] = [];
    const done = b.containerLogs("logs-1", "web", { tail: 10, follow: true }, (batch) =>
      got.push(decodeBatch(batch)),
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(got).toHaveLength(1);
    // Access lines carry the date they were written at: compare without it.
    const undated = (t: string) => t.replace(/\[\d\d\/\w+\/\d{4}:[^\]]*\] /, "");
    expect(got[0]!.map((l) => undated(l.text))).toEqual(
      Array.from({ length: 10 }, (_, i) => undated(mockLogLine(20 + i, 0).text)),
    );
    expect(got[0]!.every((l) => /^\d{4}-.*\.\d{9}Z$/.test(l.timestamp ?? ""))).toBe(true);
    expect(
      b.logs.push(b.containers[0]!.id, [{ stream: "stdout", timestamp: null, text: "hi" }]),
    ).toBe(1);
    expect(got[1]).toEqual([{ stream: "stdout", timestamp: null, text: "hi" }]);
    expect(await b.opCancel("logs-1")).toBe(true);
    expect(await done).toEqual({ reason: "cancelled", lines: 0, lastTimestamp: null });
    expect(await b.opCancel("logs-1")).toBe(false);
  });

  it("ends a stopped container's log at once, and refuses an unknown one", async () => {
    const b = new MockBackend();
    b.containers = [container({ name: "job", state: "exited" })];
    b.logs.history = 3;
    let n = 0;
    const end = await b.containerLogs(
      "logs-2",
      "job",
      { tail: null, follow: true },
      (batch) => (n += decodeBatch(batch).length),
    );
    expect(end).toEqual({ reason: "stopped", lines: 0, lastTimestamp: null });
    expect(n).toBe(3);
    await expect(
      b.containerLogs("logs-3", "nope", { tail: null, follow: true }, () => {}),
    ).rejects.toMatchObject({ code: "NotFound" });
  });
});
