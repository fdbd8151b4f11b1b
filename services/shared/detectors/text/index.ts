/**
 * Text normalization shared by the detectors: folding for matching with a map back to the
 * original offsets, invisible and tag characters, look-alikes, leetspeak, and decoding of
 * obfuscated payloads.
 */
export { decodeBase64, decodeEntities, decodeHex, decodeMorse, decodePercent, findEncodedRuns, isMostlyPrintable, type DecodedRun, type Encoding } from './decode.js';
export { isRotatedFunctionWord, rot13, rot13Lines } from './rot13.js';
export { foldCodePoint, foldForMatch, nfkc } from './fold.js';
export { foldHomoglyphs } from './homoglyphs.js';
export { decodeTagChars, isInvisible, isTagChar, stripInvisible, type TagRun } from './invisible.js';
export { foldLeet } from './leet.js';
export { identity, originalSpan, type MappedText, type Span } from './mapped.js';
export { FUNCTION_WORDS } from './words.js';
export { FuzzyVocabulary, withinOneEdit } from './fuzzy.js';
export { tokenize, type Tokens } from './tokens.js';
