// Container logs for the MockBackend: a deterministic generator of plausible lines (nginx access
// lines, coloured levels, stderr warnings and errors, JSON), streams that send the tail of the
// history in one batch, then (when following) a few lines every `interval` ms, and hooks for
// tests: push lines to a container's open streams, end them with a reason.

import type { ContainerSummary, IpcError } from "./backend";
import type { LogLine, LogOptions, LogsEnd } from "../features/containers/logs/types";

const ESC = "\x1b";

/** RFC 3339 with nanoseconds, as the daemon writes it. */
export function rfc3339Nano(ms: number, nanos: number): string {
  const iso = new Date(ms).toISOString(); // …T09:30:00.137Z
  return iso.replace(
    /\.(\d{3})Z$/,
    (_, m: string) => `.${m}${String(nanos % 1e6).padStart(6, "0")}Z`,
  );
}

const PATHS = ["/", "/api/items", "/api/items/42", "/healthz", "/static/app.js", "/login"];
const AGENTS = ["curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64)", "kube-probe/1.30"];

/** Line `n` of a made-up container's log (stdout and stderr, some with ANSI colours). */
export function mockLogLine(n: number, atMs: number): LogLine {
  const timestamp = rfc3339Nano(atMs, n * 7919);
  const k = n % 10;
  if (k === 3)
    return {
      stream: "stdout",
      timestamp,
      text: `${ESC}[32mINFO${ESC}[0m  worker ${n % 4} processed job #${n} in ${(n * 37) % 900} ms`,
    };
  if (k === 6)
    return {
      stream: "stderr",
      timestamp,
      text: `${ESC}[33mWARN${ESC}[0m  slow query (${300 + ((n * 13) % 700)} ms): SELECT * FROM orders WHERE customer_id = $1`,
    };
  if (k === 9 && n % 30 === 9)
    return {
      stream: "stderr",
      timestamp,
      text: `${ESC}[1;31mERROR${ESC}[0m upstream timed out (110: Connection timed out) while reading response header from upstream, request: "GET /api/items HTTP/1.1"`,
    };
  if (k === 7)
    return {
      stream: "stdout",
      timestamp,
      text: `{"level":"debug","msg":"cache hit","key":"user:${n}","ttl":300}`,
    };
  const path = PATHS[n % PATHS.length]!;
  const status = path === "/login" && n % 3 === 0 ? 302 : n % 23 === 0 ? 404 : 200;
  const d = new Date(atMs);
  const clf = `${String(d.getUTCDate()).padStart(2, "0")}/${
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
      d.getUTCMonth()
    ]
  }/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
  return {
    stream: "stdout",
    timestamp,
    text: `172.17.0.1 - - [${clf}] "GET ${path} HTTP/1.1" ${status} ${400 + ((n * 211) % 9000)} "-" "${AGENTS[n % AGENTS.length]}"`,
  };
}

interface Stream {
  containerId: string;
  onBatch: (lines: LogLine[]) => void;
  finish: (end: LogsEnd) => void;
}

export class MockLogs {
  /** Lines each container has written before a stream starts. */
  history = 240;
  /** Milliseconds between two batches while following; 0: only lines that tests push. */
  interval = 0;
  /** Lines per batch while following. */
  batchSize = 3;
  /** Milliseconds between two history lines' timestamps. */
  spacing = 750;
  /** What a save returns: a path, or null for a cancelled dialog. */
  savePath: ((c: ContainerSummary) => string | null) | null = (c) =>
    `/home/me/Downloads/${c.name}.log`;

  private streams = new Map<string, Stream>();

  /** The container an id, name or id prefix (4+) names. */
  static find(containers: ContainerSummary[], ref: string): ContainerSummary {
    const r = ref.trim().replace(/^\//, "");
    const c =
      containers.find((c) => c.id === r || c.name === r) ??
      (r.length >= 4 ? containers.find((c) => c.id.startsWith(r)) : undefined);
    if (!c) throw { code: "NotFound", message: `No such container: ${ref}.`, field: null };
    return c;
  }

  /** Streams open for the container (by full id). */
  open(containerId: string): number {
    return [...this.streams.values()].filter((s) => s.containerId === containerId).length;
  }

  /** Sends one batch to every open stream of the container; returns how many got it. */
  push(containerId: string, lines: LogLine[]): number {
    let n = 0;
    for (const s of this.streams.values())
      if (s.containerId === containerId) {
        s.onBatch(lines.map((l) => ({ ...l })));
        n++;
      }
    return n;
  }

  /** Ends every open stream of the container. */
  end(containerId: string, reason: LogsEnd["reason"], lastTimestamp: string | null = null): void {
    for (const s of [...this.streams.values()])
      if (s.containerId === containerId) s.finish({ reason, lines: 0, lastTimestamp });
  }

  /** True when a stream ran under `op` (it ends as cancelled). */
  cancel(op: string): boolean {
    const s = this.streams.get(op);
    if (!s) return false;
    s.finish({ reason: "cancelled", lines: 0, lastTimestamp: null });
    return true;
  }

  stream(
    op: string,
    c: ContainerSummary,
    options: LogOptions,
    onBatch: (lines: LogLine[]) => void,
  ): Promise<LogsEnd> {
    if (this.streams.has(op)) {
      const e: IpcError = {
        code: "Conflict",
        message: `An operation named ${op} is already running.`,
        field: null,
      };
      return Promise.reject(e);
    }
    return new Promise<LogsEnd>((resolve) => {
      let timer: ReturnType<typeof setInterval> | undefined;
      let done = false;
      const finish = (end: LogsEnd) => {
        if (done) return;
        done = true;
        if (timer !== undefined) clearInterval(timer);
        this.streams.delete(op);
        resolve(end);
      };
      this.streams.set(op, { containerId: c.id, onBatch, finish });
      const total = this.history;
      // Going on `since` the last line seen: the history was all seen (the engine drops
      // every line at or before that timestamp).
      const first =
        options.since !== null && options.since !== undefined
          ? total
          : options.tail === null
            ? 0
            : Math.max(0, total - options.tail);
      const start = Date.now() - total * this.spacing;
      let n = total;
      setTimeout(() => {
        if (done) return;
        const lines: LogLine[] = [];
        for (let i = first; i < total; i++) lines.push(mockLogLine(i, start + i * this.spacing));
        if (lines.length) onBatch(lines);
        if (!options.follow || c.state !== "running") {
          finish({ reason: "stopped", lines: 0, lastTimestamp: null });
          return;
        }
        if (this.interval > 0)
          timer = setInterval(() => {
            const batch: LogLine[] = [];
            for (let i = 0; i < this.batchSize; i++, n++) batch.push(mockLogLine(n, Date.now()));
            onBatch(batch);
          }, this.interval);
      }, 0);
    });
  }
}
