// The palette's matching: case-insensitive, every typed word must match, ranked by how well the
// worst word matches — the start of a word first, then anywhere inside, then its letters in
// order from a word's start (a subsequence). Pure functions.

/** How one typed word matched: 0 the start of a word, 1 inside the text, 2 letters in order. */
export type Tier = 0 | 1 | 2;

/** Where a word may start: the text's start, or after anything but a letter or digit. */
function isWordStart(text: string, i: number): boolean {
  return i === 0 || !/[\p{L}\p{N}]/u.test(text[i - 1]!);
}

function inOrder(term: string, text: string, from: number): boolean {
  let i = 0;
  for (let j = from; j < text.length; j++)
    if (text[j] === term[i] && ++i === term.length) return true;
  return false;
}

/** How `term` (lower case) matches `text` (lower case), or null when it does not. */
export function matchTerm(term: string, text: string): Tier | null {
  if (!term) return 0;
  let at = text.indexOf(term);
  if (at < 0) {
    // Letters in order, from a word's start: "rstc" in "restart container" (not "ngi" in
    // "log in to a registry").
    for (let start = text.indexOf(term[0]!); start >= 0; start = text.indexOf(term[0]!, start + 1))
      if (isWordStart(text, start) && inOrder(term, text, start)) return 2;
    return null;
  }
  for (; at >= 0; at = text.indexOf(term, at + 1)) if (isWordStart(text, at)) return 0;
  return 1;
}

/**
 * A rank for `query` against `text` (lower is better), or null when some word of the query does
 * not match. `more` (details, hidden keywords) is searched too, but only for word starts and
 * insides: letters scattered through it would match nearly anything. The empty query matches
 * everything with rank 0.
 */
export function score(query: string, text: string, more = ""): number | null {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return 0;
  const hay = text.toLowerCase();
  const extra = more.toLowerCase();
  let worst = 0;
  let sum = 0;
  for (const t of terms) {
    const own = matchTerm(t, hay);
    const other = extra ? matchTerm(t, extra) : null;
    const tier = Math.min(own ?? 3, other === null || other === 2 ? 3 : other);
    if (tier === 3) return null;
    worst = Math.max(worst, tier);
    sum += tier;
  }
  // The worst word decides; then the words' total; then whether the text starts with the query
  // as typed ("stop web" before "Show logs of web").
  const whole = terms.join(" ");
  const lead = hay.startsWith(whole) ? 0 : hay.startsWith(terms[0]!) ? 1 : 2;
  return worst * 1000 + sum * 10 + lead;
}

/**
 * The items matching `query`, best first (equal ranks keep their order), at most `limit`;
 * `total` counts every match. `text` gives an item's title and what else to search.
 */
export function rank<T>(
  items: readonly T[],
  query: string,
  text: (item: T) => string | [title: string, more: string],
  limit = Infinity,
): { items: T[]; total: number } {
  const hits: { item: T; score: number; i: number }[] = [];
  items.forEach((item, i) => {
    const t = text(item);
    const s = typeof t === "string" ? score(query, t) : score(query, t[0], t[1]);
    if (s !== null) hits.push({ item, score: s, i });
  });
  hits.sort((a, b) => a.score - b.score || a.i - b.i);
  return { items: hits.slice(0, limit).map((h) => h.item), total: hits.length };
}
