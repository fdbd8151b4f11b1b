/**
 * Text for a terminal. Event content is written by whoever talks to the AI system, attackers
 * included: control characters (ANSI escapes can rewrite the screen, set the window title or
 * hide lines) and bidirectional overrides (which reorder what a responder reads) are shown
 * as visible escapes, never passed through.
 */

// C0 and C1 controls, DEL, and the Unicode bidi embedding, override and isolate characters.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An epoch-ms time as the timeline and reports print it (UTC, milliseconds). */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** Left-aligned in `width` columns, clipped with an ellipsis when longer. */
export function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text.padEnd(width);
}
