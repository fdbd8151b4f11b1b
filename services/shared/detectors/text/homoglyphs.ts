/**
 * Folds Cyrillic and Greek letters that look like Latin ones (`іgnоrе` with Cyrillic і, о, е)
 * to their Latin twins, so a phrase typed in look-alikes matches. Works on lowercased text and
 * keeps its length, so offsets do not move.
 *
 * Only words that mix scripts, or consist entirely of look-alikes, are folded: genuine Russian
 * or Greek words keep their letters, so phrases in those languages still match as written.
 */

/** Lowercase look-alike → Latin letter. */
const CONFUSABLES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Cyrillic
    а: 'a', в: 'b', е: 'e', ё: 'e', з: '3', і: 'i', ї: 'i', ј: 'j', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c',
    т: 't', у: 'y', х: 'x', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w', һ: 'h', ӏ: 'l', ү: 'y', ɡ: 'g',
    // Greek
    α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', ω: 'w',
    // Latin variants that NFKD leaves alone
    ı: 'i', ȷ: 'j', ɑ: 'a', ɩ: 'i', ʟ: 'l', ɴ: 'n', ʀ: 'r', ꜱ: 's',
  }),
);

const CONFUSABLE_CLASS = [...CONFUSABLES.keys()].join('');
/** A word containing at least one look-alike. */
const WORD_WITH_CONFUSABLE = new RegExp(`[\\p{L}\\p{N}]*[${CONFUSABLE_CLASS}][\\p{L}\\p{N}]*`, 'gu');
const ANY_CONFUSABLE = new RegExp(`[${CONFUSABLE_CLASS}]`, 'u');
const LATIN = /[a-z0-9]/;

/**
 * @example foldHomoglyphs('іgnоrе all') // → 'ignore all'
 * @example foldHomoglyphs('игнорируй') // → 'игнорируй' (a Russian word, kept)
 */
export function foldHomoglyphs(text: string): string {
  if (!ANY_CONFUSABLE.test(text)) return text;
  return text.replace(WORD_WITH_CONFUSABLE, (word) => {
    let allConfusable = true;
    for (const ch of word) {
      if (!CONFUSABLES.has(ch)) {
        allConfusable = false;
        break;
      }
    }
    if (!allConfusable && !LATIN.test(word)) return word;
    let out = '';
    for (const ch of word) out += CONFUSABLES.get(ch) ?? ch;
    return out;
  });
}
