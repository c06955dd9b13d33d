// What a pull (or a build's base-image pull) shows: one row per layer and the overall progress.

import type { LayerProgress, TransferProgress } from "../ipc/backend";
import { formatBytes } from "../format";

export interface LayerView {
  id: string;
  status: string;
  /** 0–1, or null when the size is not known yet (an indeterminate bar). */
  fraction: number | null;
  /** "12.3 MB / 40.0 MB", or "" when there is nothing to count. */
  bytes: string;
  done: boolean;
}

export interface OverallView {
  /** 0–1 over the bytes of layers whose size is known; null before any is known. */
  fraction: number | null;
  /** "12.3 MB / 40.0 MB" */
  bytes: string;
  /** "2/3 layers" */
  layers: string;
  done: boolean;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

export function layerView(l: LayerProgress): LayerView {
  const size = l.size || l.total;
  let fraction: number | null;
  if (l.done) fraction = 1;
  else if (size > 0) fraction = clamp01((l.transferred || l.current) / size);
  else fraction = null;
  const done = l.transferred || l.current;
  return {
    id: l.id,
    status: l.status,
    fraction,
    bytes: size > 0 ? `${formatBytes(Math.min(done, size))} / ${formatBytes(size)}` : "",
    done: l.done,
  };
}

export function overallView(p: TransferProgress | null): OverallView {
  if (!p) return { fraction: null, bytes: "", layers: "", done: false };
  const n = p.layers.length;
  const done = n > 0 && p.layersDone >= n;
  let fraction: number | null = null;
  if (done) fraction = 1;
  else if (p.total > 0) fraction = clamp01(p.current / p.total);
  return {
    fraction,
    bytes:
      p.total > 0 ? `${formatBytes(Math.min(p.current, p.total))} / ${formatBytes(p.total)}` : "",
    layers: n > 0 ? `${p.layersDone}/${n} layer${n === 1 ? "" : "s"}` : "",
    done,
  };
}

/** A percentage for `style:width`, from a 0–1 fraction. */
export function percent(fraction: number | null): string {
  return `${Math.round(clamp01(fraction ?? 0) * 1000) / 10}%`;
}
