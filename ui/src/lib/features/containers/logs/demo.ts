// `?page=containers&demo=logs`: the log viewer over the page, following the demo backend's
// "web" container (new lines every 0.8 s). Options: `&container=db`, `&search=timed out`,
// `&wrap=1`, `&pause=1` (paused; new lines count up on the jump button), `&hostile=1` (a few
// lines with OSC 52/OSC 8 sequences and HTML, and a 10 MB line), `&dropped=1` (a small cap),
// `&lost=1` (the daemon dropped the follow: the notice with Follow again).

import { mount } from "svelte";
import type { MockBackend } from "../../../ipc/mock";
import { waitFor } from "../../../ipc/demo-dom";
import LogViewer from "./LogViewer.svelte";
import type { LogLine } from "./types";

export async function showLogsDemo(b: MockBackend, params: URLSearchParams): Promise<void> {
  const main = await waitFor("main");
  const c = b.containers.find((c) => c.name === (params.get("container") ?? "web"));
  if (!main || !c) return;
  b.logs.history = 400;
  b.logs.interval = 800;
  b.logs.batchSize = 2;

  const host = document.createElement("section");
  host.setAttribute("aria-label", `Logs of ${c.name}`);
  Object.assign(host.style, {
    position: "fixed",
    top: "0",
    right: "0",
    bottom: "0",
    left: `${main.getBoundingClientRect().left}px`,
    zIndex: "20",
    display: "flex",
    flexDirection: "column",
    gap: "10px",
    padding: "14px 20px",
    background: "var(--bg-1)",
  });
  const title = document.createElement("h1");
  title.textContent = `Logs — ${c.name} (${c.image})`;
  Object.assign(title.style, { margin: "0", fontSize: "18px", fontWeight: "650" });
  host.append(title);
  document.body.append(host);

  mount(LogViewer, {
    target: host,
    props: {
      backend: b,
      containerId: c.id,
      tail: 1000,
      maxLines: params.get("dropped") ? 300 : undefined,
    },
  });

  await waitFor("[data-testid=log-line]");
  if (params.get("hostile")) {
    const ts = () => new Date().toISOString().replace("Z", "123456Z");
    const lines: LogLine[] = [
      { stream: "stdout", timestamp: ts(), text: "clipboard: \x1b]52;c;SGVsbG8=\x07(gone)" },
      {
        stream: "stdout",
        timestamp: ts(),
        text: "\x1b]8;;https://evil.example\x1b\\a link\x1b]8;;\x1b\\ that is only text",
      },
      { stream: "stderr", timestamp: ts(), text: "<script>alert(1)</script>" },
      { stream: "stderr", timestamp: ts(), text: "<img src=x onerror=alert(2)>" },
      { stream: "stdout", timestamp: ts(), text: "B".repeat(10_000_000) },
    ];
    b.logs.push(c.id, lines);
  }
  const input = (css: string) => document.querySelector<HTMLInputElement>(css);
  if (params.get("wrap")) input("[data-testid=log-wrap]")?.click();
  const search = params.get("search");
  const box = input("[data-testid=log-search]");
  if (search && box) {
    box.value = search;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  if (params.get("pause")) input("[data-testid=log-pause]")?.click();
  if (params.get("lost")) b.logs.end(c.id, "daemonLost", new Date().toISOString());
}
