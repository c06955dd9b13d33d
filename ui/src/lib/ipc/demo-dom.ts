// The demos' waits on the page (outside Tauri only): a pause, and an element to appear.

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first element matching `css`, looked for every 50 ms; null after `tries` looks. */
export async function waitFor(css: string, tries = 60): Promise<HTMLElement | null> {
  for (let i = 0; i < tries; i++) {
    const el = document.querySelector<HTMLElement>(css);
    if (el) return el;
    await sleep(50);
  }
  return null;
}
