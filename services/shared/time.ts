/**
 * Points in time as users write them on the command line and in query strings: ISO-8601
 * (`2026-11-20T10:00:00Z`, `2026-11-20`), epoch milliseconds, or a duration meaning that
 * long before `now` (`15m`, `24h`, `7d`).
 */
import { parseDuration } from './rules/duration.js';

/** Epoch ms, or null when the text is none of the three forms. */
export function parseTimePoint(text: string, now = Date.now()): number | null {
  const t = text.trim();
  if (/^\d{10,16}$/.test(t)) return Number(t);
  const ago = parseDuration(t);
  if (ago !== null) return now - ago;
  if (/^\d{4}-\d{2}-\d{2}([T ]|$)/.test(t)) {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

export const TIME_POINT_HELP = 'ISO-8601 (2026-11-20T10:00:00Z), epoch milliseconds, or a duration ago (15m, 24h, 7d)';
