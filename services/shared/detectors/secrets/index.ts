/**
 * `secrets`: credentials in any text of an event — provider keys (OpenAI, Anthropic, AWS,
 * GitHub, GitLab, Slack, Google, Stripe, Hugging Face, SendGrid, npm, Twilio), PEM private
 * keys, JWTs, connection strings with passwords, and keyword-anchored passwords and tokens.
 *
 * @example
 *   secretsDetector.run(event, ctx).findings
 *   // [{ detector: 'secrets', field: 'output.text', start: 10, end: 61, score: 0.95, label: 'openai_key' }]
 */
import { textFields } from '../fields.js';
import { resultOf, type Detector, type Finding } from '../types.js';
import { findSecretMarkers } from '../redaction-markers.js';
import { findConnectionStrings } from './connection-string.js';
import { findJwts } from './jwt.js';
import { findKeywordSecrets } from './keyword.js';
import type { SecretMatch } from './match.js';
import { findPrivateKeys } from './pem.js';
import { findProviderKeys } from './provider.js';
import { keepStrongest } from './spans.js';

export type { SecretMatch } from './match.js';

export const SECRETS = 'secrets';

/** Every label this detector emits, for docs and rule lint. */
export const SECRET_LABELS = [
  'anthropic_key', 'openai_key', 'stripe_key', 'stripe_test_key', 'aws_access_key', 'aws_secret_key', 'github_token',
  'gitlab_token', 'slack_token', 'slack_webhook', 'google_api_key', 'huggingface_token', 'sendgrid_key', 'npm_token',
  'twilio_key', 'private_key', 'jwt', 'connection_string', 'url_credentials', 'password', 'generic_secret',
] as const;

/** Each field is scanned up to this many UTF-16 units: a secret past 256 K characters goes unseen. */
export const MAX_SCAN_CHARS = 256 * 1024;

/**
 * Every credential in `text`, by position. Where two overlap (a JWT inside `token=…`) the
 * higher score wins, so one secret is one finding. A redaction marker counts as the secret it
 * replaced (redaction-markers.ts).
 */
export function findSecrets(text: string): SecretMatch[] {
  const t = text.length > MAX_SCAN_CHARS ? text.slice(0, MAX_SCAN_CHARS) : text;
  const all = [...findSecretMarkers(t), ...findPrivateKeys(t), ...findProviderKeys(t), ...findJwts(t), ...findConnectionStrings(t), ...findKeywordSecrets(t)];
  return keepStrongest(all);
}

export const secretsDetector: Detector = {
  name: SECRETS,
  description: 'Credentials in any text: provider API keys, private keys, JWTs, connection strings, keyword-anchored secrets.',
  run(event) {
    const findings: Finding[] = [];
    for (const field of textFields(event)) {
      for (const m of findSecrets(field.text)) findings.push({ detector: SECRETS, field: field.path, ...m });
    }
    return resultOf(findings);
  },
};
