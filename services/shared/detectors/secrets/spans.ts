/**
 * One finding per stretch of text: when matches overlap (a JWT inside `token=…`, a card number
 * that also parses as a phone number) the strongest is kept. Used by the text scanners that
 * run several patterns over the same field.
 */

export interface ScoredSpan {
  start: number;
  end: number;
  score: number;
}

/** Non-overlapping matches by position; on overlap the higher score wins, then the longer span, then the earlier. */
export function keepStrongest<T extends ScoredSpan>(matches: T[]): T[] {
  if (matches.length < 2) return matches;
  const byStrength = [...matches].sort((a, b) => b.score - a.score || b.end - b.start - (a.end - a.start) || a.start - b.start);
  // `kept` stays sorted by start and free of overlaps: only the neighbours of an insertion point can overlap.
  const kept: T[] = [];
  for (const m of byStrength) {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid]!.start < m.start) lo = mid + 1;
      else hi = mid;
    }
    const before = kept[lo - 1];
    const after = kept[lo];
    if ((before && before.end > m.start) || (after && after.start < m.end)) continue;
    kept.splice(lo, 0, m);
  }
  return kept;
}

export interface Span {
  start: number;
  end: number;
}

/**
 * A predicate "does [start, end) overlap any of `spans`?" in O(log n) per question, for scanners
 * that skip what an earlier pass claimed (a URL inside markdown, an address inside a URL):
 * checking each against every claimed span would be quadratic on a text full of them.
 */
export function overlapsAny(spans: readonly Span[]): (start: number, end: number) => boolean {
  if (spans.length === 0) return () => false;
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  // maxEnd[i]: the furthest any of the first i + 1 spans reaches.
  const maxEnd: number[] = [];
  for (const s of sorted) maxEnd.push(Math.max(s.end, maxEnd.at(-1) ?? -Infinity));
  return (start, end) => {
    // The last span starting before `end`; an overlap exists iff some span up to it ends after `start`.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.start < end) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && maxEnd[lo - 1]! > start;
  };
}
