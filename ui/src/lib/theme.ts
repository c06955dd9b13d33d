// The theme on <html data-theme="light|dark">: what the user chose, or the OS's when "system"
// (followed live). The CSS only knows the attribute.

import type { Theme } from "./ipc/backend";

type Media = Pick<MediaQueryList, "matches" | "addEventListener" | "removeEventListener">;

/** Applies `theme` to `root` and returns a function that stops following the OS. */
export function applyTheme(
  theme: Theme,
  root: HTMLElement = document.documentElement,
  media: Media | null = typeof matchMedia === "function"
    ? matchMedia("(prefers-color-scheme: dark)")
    : null,
): () => void {
  if (theme !== "system") {
    root.dataset.theme = theme;
    return () => {};
  }
  const set = () => {
    root.dataset.theme = media?.matches ? "dark" : "light";
  };
  set();
  media?.addEventListener("change", set);
  return () => media?.removeEventListener("change", set);
}
