// A batch of log lines as it crosses IPC (see `LogBatch` in the Rust engine): three strings
// instead of one object per line, which the page parses several times faster. The viewer's
// buffer takes batches as they are (`LogBuffer.appendBatch`); these turn them into lines and
// back, for the mock backend and tests.
import type { LogBatch, LogLine } from "../../../ipc/bindings";

/**
 * What Rust's `LogBatch::from` makes of these lines (the stderr indices ascending). Rust never
 * sends an empty batch: encoded, no lines would read back as one empty line.
 */
export function encodeBatch(lines: readonly LogLine[]): LogBatch {
  const stderr: number[] = [];
  lines.forEach((l, i) => {
    if (l.stream === "stderr") stderr.push(i);
  });
  return {
    text: lines.map((l) => l.text).join("\n"),
    timestamps: lines.map((l) => l.timestamp ?? "").join("\n"),
    stderr,
  };
}

export function decodeBatch(b: LogBatch): LogLine[] {
  const texts = b.text.split("\n");
  const stamps = b.timestamps.split("\n");
  const out: LogLine[] = new Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const ts = stamps[i];
    out[i] = { stream: "stdout", timestamp: ts ? ts : null, text: texts[i]! };
  }
  for (const i of b.stderr) if (out[i]) out[i].stream = "stderr";
  return out;
}
