import { mount } from "svelte";
import App from "./App.svelte";
import { AppModel } from "./lib/stores/app.svelte";
import type { Backend } from "./lib/ipc/backend";
import "./app.css";

async function backend(): Promise<Backend> {
  if ("__TAURI_INTERNALS__" in window) return (await import("./lib/ipc/tauri")).tauriBackend;
  // Outside Tauri (plain `npm run dev` in a browser): a demo backend with sample data.
  return (await import("./lib/ipc/demo")).demoBackend();
}

const target = document.getElementById("app");
if (target) mount(App, { target, props: { model: new AppModel(await backend()) } });
