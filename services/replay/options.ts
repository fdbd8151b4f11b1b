/**
 * The values `runwatch replay` takes on the command line, parsed once: a bad value is an
 * error that names its option (`--since: expected …, got "yesterday"`), before anything
 * opens the store or the bus.
 */
import { QueryInvalidError } from '../shared/errors.js';
import { parseDuration } from '../shared/rules/duration.js';
import { parseTimePoint, TIME_POINT_HELP } from '../shared/time.js';

/** Epoch ms from `--since` / `--until` text. */
export function timeOption(option: string, text: string, now: number): number {
  const ms = parseTimePoint(text, now);
  if (ms === null) throw new QueryInvalidError(option, `expected ${TIME_POINT_HELP}, got ${JSON.stringify(text)}`);
  return ms;
}

/** The `--since … --until …` range; `until` defaults to now and must come after `since`. */
export function rangeOptions(since: string | undefined, until: string | undefined, now: number): { since: number; until: number } {
  if (since === undefined) throw new QueryInvalidError('--since', 'required (e.g. --since 24h)');
  const range = { since: timeOption('--since', since, now), until: until === undefined ? now : timeOption('--until', until, now) };
  if (range.until <= range.since) throw new QueryInvalidError('--until', `must be after --since (${new Date(range.since).toISOString()})`);
  return range;
}

/** Milliseconds from a duration option such as `--context 10m`. */
export function durationOption(option: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new QueryInvalidError(option, `expected a duration such as 30s, 10m or 1h, got ${JSON.stringify(text)}`);
  return ms;
}

/** Events per second from `--rate 500` or `--rate 500/s`. */
export function rateOption(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(text.trim());
  const rate = m ? Number(m[1]) : NaN;
  if (!(rate > 0)) throw new QueryInvalidError('--rate', `expected events per second such as 500 or 500/s, got ${JSON.stringify(text)}`);
  return rate;
}

/** A positive whole number, e.g. `--partitions 6`. */
export function countOption(option: string, text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= 1)) throw new QueryInvalidError(option, `expected a whole number of at least 1, got ${JSON.stringify(text)}`);
  return n;
}
