// Which rows of a fixed-row-height list to render for a scroll position; moving between rows.

export interface VisibleRange {
  /** First rendered index (inclusive). */
  start: number;
  /** Last rendered index (exclusive). */
  end: number;
  /** Pixels from the top of the content to the first rendered row. */
  offset: number;
  /** Height of the whole content. */
  total: number;
}

export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  count: number,
  overscan = 6,
): VisibleRange {
  const total = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, total: 0 };
  const maxTop = Math.max(0, total - viewport);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const first = Math.floor(top / rowHeight);
  const shown = Math.ceil(Math.max(viewport, rowHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + shown + overscan);
  return { start, end, offset: start * rowHeight, total };
}

/** ↓ or ↑ on a list row: focuses the row below or above it (if any) and returns it. */
export function focusNextRow(e: KeyboardEvent): HTMLElement | null {
  e.preventDefault();
  const row = e.currentTarget as HTMLElement;
  const next = (
    e.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling
  ) as HTMLElement | null;
  next?.focus();
  return next;
}
