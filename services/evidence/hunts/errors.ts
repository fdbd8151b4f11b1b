/**
 * Why a hunt run failed. The scheduler logs either with the hunt id and tries again at the
 * hunt's next tick; `runwatch rules hunt` prints the message and exits 1.
 */
import { RunwatchError } from '../../shared/errors.js';

/** The store refused or failed a hunt's query: not one SELECT, a write under readonly, bad SQL, a timeout. */
export class HuntQueryError extends RunwatchError {
  constructor(
    readonly huntId: string,
    message: string,
    cause?: unknown,
  ) {
    super('RW_ERR_HUNT_QUERY', `hunt ${huntId}: ${message}`, { cause });
  }
}

/** The query ran, but its rows cannot become detections: a column the hunt needs is missing. */
export class HuntResultError extends RunwatchError {
  constructor(
    readonly huntId: string,
    message: string,
  ) {
    super('RW_ERR_HUNT_RESULT', `hunt ${huntId}: ${message}`);
  }
}
