/** Errors of the collector's containment enforcement (codes listed in docs/errors.md). */
import { RunwatchError } from '../../shared/errors.js';

/**
 * /v1/check before the containment state has been read from its topic: answering "allow"
 * from an empty state would let a quarantined agent through, so the collector answers 503
 * with Retry-After instead. Retriable.
 */
export class ContainmentNotReadyError extends RunwatchError {
  constructor() {
    super('RW_ERR_CONTAINMENT_NOT_READY', 'containment state is still loading; retry shortly', { retriable: true });
  }
}
