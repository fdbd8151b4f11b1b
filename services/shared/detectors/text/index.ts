/**
 * Text normalization shared by the detectors: folding for matching with a map back to the
 * original offsets, invisible and tag characters, look-alikes, leetspeak, and decoding of
 * obfuscated payloads.
 */
export { decodeBase64, decodeEntities, decodeHex, decodePercent, findEncodedRuns, isMostlyPrintable, looksRot13, rot13, type DecodedRun, type Encoding } from './decode.js';
export { foldCodePoint, foldForMatch, nfkc } from './fold.js';
export { foldHomoglyphs } from './homoglyphs.js';
export { decodeTagChars, isInvisible, isTagChar, stripInvisible, type TagRun } from './invisible.js';
export { foldLeet } from './leet.js';
export { identity, originalSpan, type MappedText, type Span } from './mapped.js';
export { FUNCTION_WORDS, functionWordRatio, wordStats, type WordStats } from './words.js';
export { FuzzyVocabulary, withinOneEdit } from './fuzzy.js';
export { tokenize, type Tokens } from './tokens.js';
