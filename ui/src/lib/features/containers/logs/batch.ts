// A batch of log lines as it crosses IPC (see `LogBatch` in the Rust engine): three strings
// instead of one object per line, which the page parses several times faster.
import type { LogBatch, LogLine } from "../../../ipc/bindings";

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
