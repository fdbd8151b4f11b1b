/** Something dangerous in one text of a tool call. */
export interface ToolMatch {
  /** UTF-16 offsets into the field's text. */
  start: number;
  end: number;
  label: string;
  score: number;
}
