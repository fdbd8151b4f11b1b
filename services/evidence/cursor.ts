/** Keyset cursors for time-ordered lists: the (ts, id) of the last row of a page, opaque to clients. */
import { QueryInvalidError } from '../shared/errors.js';

export interface Cursor {
  ts: number;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.ts, cursor.id])).toString('base64url');
}

export function decodeCursor(text: string | undefined): Cursor | undefined {
  if (text === undefined || text === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { ts: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through: any malformed cursor gets the same answer
  }
  throw new QueryInvalidError('cursor', 'not a cursor this API returned (take it from the X-Next-Cursor header)');
}
