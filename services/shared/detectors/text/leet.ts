/**
 * Folds leetspeak (`1gn0r3 pr3v10us`) to letters for matching. Works on lowercased text and
 * keeps its length. Only words that mix letters with leet characters are touched, and a
 * trailing run of digits is left alone (`gpt4`, `mp3`, `covid19` are names, not leet).
 */

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

const LEET_CHAR = /[0-9@$]/g;
const HAS_LETTER = /[a-z]/;
/** Letters then only digits: a version number or model name. */
const TRAILING_DIGITS = /^[a-z]+[0-9]+$/;

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 64 || c === 36; // a-z 0-9 @ $
}

/**
 * @example foldLeet('1gn0r3 pr3v10us') // → 'ignore previous'
 * @example foldLeet('gpt4 and 2024') // → 'gpt4 and 2024'
 */
export function foldLeet(text: string): string {
  // Visit each word that holds a leet character once: find the character, widen to its word.
  let out = '';
  let copied = 0;
  LEET_CHAR.lastIndex = 0;
  for (let m = LEET_CHAR.exec(text); m !== null; m = LEET_CHAR.exec(text)) {
    let start = m.index;
    while (start > 0 && isWordChar(text.charCodeAt(start - 1))) start--;
    let end = m.index + 1;
    while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
    LEET_CHAR.lastIndex = end;
    const word = text.slice(start, end);
    if (!HAS_LETTER.test(word) || TRAILING_DIGITS.test(word)) continue;
    let folded = '';
    for (const ch of word) folded += LEET[ch] ?? ch;
    out += text.slice(copied, start) + folded;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
