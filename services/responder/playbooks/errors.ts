/** The errors the playbook language raises on purpose (codes listed in docs/errors.md). */
import { RunwatchError } from '../../shared/errors.js';

/** Playbook files with errors: the message lists each as file:line:col. */
export class PlaybookParseError extends RunwatchError {
  constructor(message: string) {
    super('RW_ERR_PLAYBOOK_PARSE', message);
  }
}

/**
 * A template could not be rendered: an unknown placeholder, or a `{{env.NAME}}` whose variable
 * is not set. The message names the placeholder, never a value (values can be secrets).
 */
export class TemplateError extends RunwatchError {
  constructor(readonly placeholder: string, reason: string) {
    super('RW_ERR_PLAYBOOK_TEMPLATE', `{{${placeholder}}}: ${reason}`);
  }
}
