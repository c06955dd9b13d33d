import { mount } from "svelte";
import App from "./App.svelte";
import { AppModel } from "./lib/stores/app.svelte";
import "./app.css";

const target = document.getElementById("app");
if (target) {
  if ("__TAURI_INTERNALS__" in window) {
    const { tauriBackend } = await import("./lib/ipc/tauri");
    mount(App, { target, props: { model: new AppModel(tauriBackend) } });
  } else {
    // Outside Tauri (plain `npm run dev` in a browser): a demo backend with sample data.
    const demo = await import("./lib/ipc/demo");
    const backend = demo.demoBackend();
    const model = new AppModel(backend);
    mount(App, { target, props: { model } });
    void demo.startDemo(model, backend, new URLSearchParams(location.search));
  }
}
