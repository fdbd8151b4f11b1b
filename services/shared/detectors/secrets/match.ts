/** A credential found in one text: the span is what a redactor would blank out. */
export interface SecretMatch {
  /** UTF-16 offsets: `text.slice(start, end)` is the credential (or the block holding it). */
  start: number;
  end: number;
  /** `openai_key`, `aws_access_key`, `private_key`, `jwt`, `connection_string`, `generic_secret`, … */
  label: string;
  score: number;
}
