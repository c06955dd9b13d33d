// Sample data for running the UI in a plain browser, without the Tauri shell.

import { container, image, MockBackend } from "./mock";

export function demoBackend(): MockBackend {
  const b = new MockBackend();
  const now = Math.floor(Date.now() / 1000);
  b.containers = [
    container({
      name: "web",
      image: "nginx:1.27",
      ports: [{ ip: "0.0.0.0", privatePort: 80, publicPort: 8080, protocol: "tcp" }],
      created: now - 300,
    }),
    container({ name: "db", image: "postgres:16", status: "Up 3 hours", created: now - 11000 }),
    container({
      name: "job",
      image: "busybox",
      state: "exited",
      status: "Exited (0) 2 days ago",
      created: now - 200000,
    }),
  ];
  b.images = [
    image({ id: "sha256:4f3a9c", repoTags: ["nginx:1.27"], size: 192_000_000 }),
    image({ id: "sha256:8d1e22", repoTags: ["postgres:16"], size: 438_000_000 }),
    image({ id: "sha256:0b7c55", size: 4_300_000 }),
  ];
  return b;
}
