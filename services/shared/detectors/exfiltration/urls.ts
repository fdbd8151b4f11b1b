/**
 * Where a text points a client: markdown images and links (inline and reference-style), HTML
 * elements that load a URL on render (img, iframe, video, script, link, CSS `url()`, …) or on
 * click (`<a href>`), and bare URLs. Offsets are of the URL itself, as written.
 */
import { overlapsAny } from '../secrets/spans.js';

export type UrlKind =
  /** `![alt](url)` or `![alt][ref]`: rendered, so fetched with no click. */
  | 'markdown_image'
  /** `[text](url)` */
  | 'markdown_link'
  /** An HTML element or CSS that fetches its URL when rendered. */
  | 'html_autoload'
  /** `<a href>` and `<form action>`: fetched on a click. */
  | 'html_link'
  /** A URL in running text (any scheme). */
  | 'bare';

export interface UrlOccurrence {
  kind: UrlKind;
  /** The URL as written (HTML entities decoded). */
  url: string;
  /** UTF-16 offsets of the URL in the text. */
  start: number;
  end: number;
}

/**
 * `[text](url "title")`, with a `!` for an image. The text class excludes brackets and
 * newlines and the URL class excludes parentheses and spaces, so each attempt ends at the
 * first delimiter: no nested quantifiers, no backtracking across a long text.
 */
const MD_INLINE = /(!?)\[([^[\]\n]{0,1000})\]\([ \t]{0,8}<?([^\s()<>]{1,8192})>?(?:[ \t]{1,8}(?:"[^"\n]{0,500}"|'[^'\n]{0,500}'))?[ \t]{0,8}\)/dg;
/** `![alt][ref]` and `![ref][]`. */
const MD_REF_IMAGE = /!\[([^[\]\n]{0,1000})\]\[([^[\]\n]{0,200})\]/g;
/** `[ref]: url` definitions, at the start of a line. */
const MD_REF_DEF = /^[ \t]{0,3}\[([^[\]\n]{1,200})\]:[ \t]{0,8}<?([^\s<>]{1,8192})>?/dgm;

const AUTOLOAD_TAGS = new Set(['img', 'image', 'iframe', 'frame', 'video', 'audio', 'source', 'track', 'script', 'embed', 'object', 'link', 'input', 'body', 'table', 'td', 'use', 'svg']);
const LINK_TAGS = new Set(['a', 'area', 'form', 'button']);
const TAG = /<([a-z][a-z0-9]{0,10})\b([^<>]{0,4096})>/dgi;
const ATTR = /(?:^|\s)(src|href|xlink:href|srcset|poster|data|background|action|formaction)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)/dgi;
const CSS_URL = /url\(\s{0,8}["']?([^"')\s]{1,8192})["']?\s{0,8}\)/dgi;

/** Longest scheme looked for before `://` (`chrome-extension` is 16). */
const MAX_SCHEME = 16;
const MAX_URL = 8192;

/** Every URL a client would fetch or offer from `text`; a URL inside markup is reported once, with the markup's kind. */
export function findUrls(text: string): UrlOccurrence[] {
  const out: UrlOccurrence[] = [];
  if (text.includes('](') || text.includes('][')) out.push(...markdownUrls(text));
  if (text.includes('<')) out.push(...htmlUrls(text));
  if (/url\(/i.test(text)) out.push(...cssUrls(text));
  const claimed = overlapsAny(out);
  for (const bare of findBareUrls(text)) if (!claimed(bare.start, bare.end)) out.push(bare);
  return out.sort((a, b) => a.start - b.start);
}

/**
 * URLs with a scheme in running text, trailing punctuation and unbalanced closing brackets
 * trimmed. Found from each `://` outwards rather than by a regex tried at every letter: a
 * long text is scanned once by `indexOf`.
 */
export function findBareUrls(text: string): UrlOccurrence[] {
  const out: UrlOccurrence[] = [];
  for (let sep = text.indexOf('://'); sep !== -1; sep = text.indexOf('://', sep + 3)) {
    let start = sep;
    while (start > 0 && sep - start <= MAX_SCHEME && isSchemeChar(text.charCodeAt(start - 1))) start--;
    // The scheme is the whole run before `://` and starts with a letter (`1http://` is not a URL).
    if (start === sep || sep - start > MAX_SCHEME || (start > 0 && isSchemeChar(text.charCodeAt(start - 1))) || !isLetter(text.charCodeAt(start))) continue;
    let end = sep + 3;
    const limit = Math.min(text.length, sep + 3 + MAX_URL);
    while (end < limit && !URL_STOP.has(text.charCodeAt(end))) end++;
    if (end === sep + 3) continue;
    const url = trimTrailing(text.slice(start, end));
    out.push({ kind: 'bare', url, start, end: start + url.length });
    sep = end - 3;
  }
  return out;
}

/** Characters that end a URL in running text: whitespace, quotes, angle and curly brackets, `|`, `\\`, `^`, backtick. */
const URL_STOP = new Set([...' \t\n\r\f\v<>"\'`{}|\\^\u00a0\u2028\u2029'].map((c) => c.charCodeAt(0)));

function isSchemeChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57) || c === 43 || c === 46 || c === 45;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function markdownUrls(text: string): UrlOccurrence[] {
  const out: UrlOccurrence[] = [];
  for (const m of matches(MD_INLINE, text)) {
    const at = m.indices?.[3];
    if (at) out.push({ kind: m[1] === '!' ? 'markdown_image' : 'markdown_link', url: m[3]!, start: at[0], end: at[1] });
  }
  if (!text.includes('![')) return out;
  // Reference-style images resolve through a definition elsewhere in the text: the classic way
  // around filters that only look at `![..](url)`. The evidence is the definition's URL.
  const defs = new Map<string, { url: string; start: number; end: number }>();
  for (const m of matches(MD_REF_DEF, text)) {
    const at = m.indices?.[2];
    if (at) defs.set(m[1]!.trim().toLowerCase(), { url: m[2]!, start: at[0], end: at[1] });
  }
  if (defs.size === 0) return out;
  const used = new Set<string>();
  for (const m of matches(MD_REF_IMAGE, text)) {
    const ref = (m[2] || m[1] || '').trim().toLowerCase();
    const def = defs.get(ref);
    if (def && !used.has(ref)) {
      used.add(ref);
      out.push({ kind: 'markdown_image', ...def });
    }
  }
  return out;
}

function htmlUrls(text: string): UrlOccurrence[] {
  const out: UrlOccurrence[] = [];
  for (const tag of matches(TAG, text)) {
    const name = tag[1]!.toLowerCase();
    const kind: UrlKind | null = AUTOLOAD_TAGS.has(name) ? 'html_autoload' : LINK_TAGS.has(name) ? 'html_link' : null;
    const attrsAt = tag.indices?.[2];
    if (kind === null || !attrsAt) continue;
    for (const attr of matches(ATTR, tag[2]!)) {
      const valueAt = attr.indices?.[2];
      if (!valueAt) continue;
      const raw = attr[2]!;
      const quoted = raw.startsWith('"') || raw.startsWith("'");
      const start = attrsAt[0] + valueAt[0] + (quoted ? 1 : 0);
      const value = quoted ? raw.slice(1, -1) : raw;
      // srcset lists `url 2x, url 1x`: each candidate is fetched.
      const urls = attr[1]!.toLowerCase() === 'srcset' ? srcsetUrls(value, start) : [{ url: value, start }];
      for (const u of urls) if (u.url) out.push({ kind, url: decodeEntities(u.url), start: u.start, end: u.start + u.url.length });
    }
  }
  return out;
}

function cssUrls(text: string): UrlOccurrence[] {
  const out: UrlOccurrence[] = [];
  for (const m of matches(CSS_URL, text)) {
    const at = m.indices?.[1];
    if (at) out.push({ kind: 'html_autoload', url: m[1]!, start: at[0], end: at[1] });
  }
  return out;
}

function srcsetUrls(value: string, start: number): Array<{ url: string; start: number }> {
  const out: Array<{ url: string; start: number }> = [];
  for (const m of value.matchAll(/[^\s,]+/g)) {
    // The first token of each comma-separated candidate is the URL; `2x` / `640w` are descriptors.
    const before = value.slice(0, m.index).trimEnd();
    if (before === '' || before.endsWith(',')) out.push({ url: m[0], start: start + m.index });
  }
  return out;
}

const ENTITY = /&(?:amp|quot|apos|lt|gt|#(\d{1,7})|#x([0-9a-f]{1,6}));/gi;
const NAMED: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&apos;': "'", '&lt;': '<', '&gt;': '>' };

function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(ENTITY, (all: string, dec?: string, hex?: string) => {
    const code = dec !== undefined ? Number(dec) : hex !== undefined ? parseInt(hex, 16) : -1;
    if (code >= 0) return code <= 0x10ffff ? String.fromCodePoint(code) : all;
    return NAMED[all.toLowerCase()] ?? all;
  });
}

/** `exec` in a loop (`matchAll` clones the regex on every call, which costs more than the scan of a short text). */
function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) yield m;
}

/** `http://x.com/a).` → `http://x.com/a`: sentence punctuation and a closing bracket opened before the URL. */
function trimTrailing(url: string): string {
  let u = url;
  for (;;) {
    const last = u.at(-1);
    if (last === undefined) return u;
    if ('.,;:!?*_~\''.includes(last)) u = u.slice(0, -1);
    else if ((last === ')' || last === ']') && count(u, last === ')' ? '(' : '[') < count(u, last)) u = u.slice(0, -1);
    else return u;
  }
}

function count(s: string, ch: string): number {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
}

/**
 * Percent-decoding that never throws: a malformed escape stays as written. `+` is a space in
 * query strings (the default) and itself in paths.
 */
export function percentDecode(value: string, plusAsSpace = true): string {
  const spaced = plusAsSpace ? value.replace(/\+/g, ' ') : value;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}
