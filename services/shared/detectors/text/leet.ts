/**
 * Folds leetspeak (`1gn0r3 pr3v10us`) to letters for matching. Works on lowercased text and
 * keeps its length. Only words that mix letters with leet characters are touched, and a
 * trailing run of digits is left alone (`gpt4`, `mp3`, `covid19` are names, not leet).
 */

const LEET: Readonly<Record<string, string>> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's' };

/** A word made of letters and leet characters, containing at least one of each kind. */
const LEET_WORD = /[a-z0-9@$]*[0-9@$][a-z0-9@$]*/g;
const HAS_LETTER = /[a-z]/;
/** Letters then only digits: a version number or model name. */
const TRAILING_DIGITS = /^[a-z]+[0-9]+$/;

/**
 * @example foldLeet('1gn0r3 pr3v10us') // → 'ignore previous'
 * @example foldLeet('gpt4 and 2024') // → 'gpt4 and 2024'
 */
export function foldLeet(text: string): string {
  return text.replace(LEET_WORD, (word) => {
    if (!HAS_LETTER.test(word) || TRAILING_DIGITS.test(word)) return word;
    let out = '';
    for (const ch of word) out += LEET[ch] ?? ch;
    return out;
  });
}
