/** Personal data found in one text. */
export interface PiiMatch {
  /** UTF-16 offsets: `text.slice(start, end)` is the value as written (separators included). */
  start: number;
  end: number;
  label: 'card' | 'iban' | 'ssn' | 'email' | 'phone';
  score: number;
}
