// The container logs viewer, for the containers page (or a detail pane) to show.
export { default as LogViewer } from "./LogViewer.svelte";
export { LogBuffer } from "./buffer";
export type { LogLine, LogOptions, LogStream, LogsEnd } from "./types";
