/**
 * Shell and PowerShell an agent should not run: fetching code and piping it into an
 * interpreter (`pipe_to_shell`), download cradles and base64-encoded PowerShell
 * (`download_exec`), and commands that destroy a system (`destructive_shell`: recursive
 * delete of `/` or home, formatting or overwriting disks, fork bombs). Routine cleanup
 * (`rm -rf ./build`, `rm -rf node_modules`) is not reported.
 *
 * Every pattern is linear: bounded gaps (`[^\n]{0,512}`) between fixed words, and no
 * quantified group whose parts can match the same characters.
 */
import type { ToolMatch } from './match.js';

interface CommandPattern {
  label: 'pipe_to_shell' | 'download_exec' | 'destructive_shell';
  score: number;
  /** Lower-case strings of which the text must hold one for the pattern to match: a cheap test first. */
  hints: readonly string[];
  regex: RegExp;
}

const SHELL = '(?:sudo\\s+(?:-\\S+\\s+){0,3})?(?:\\/(?:usr\\/)?(?:local\\/)?bin\\/)?(?:ba|z|k|c|tc|da|fi|a)?sh\\b';
const INTERPRETER = `(?:${SHELL}|(?:sudo\\s+)?(?:python[23]?|perl|ruby|node|php|iex|invoke-expression)\\b)`;
const FETCH = '(?:curl|wget|fetch|iwr|irm|invoke-webrequest|invoke-restmethod)';

const PATTERNS: readonly CommandPattern[] = [
  // curl … | sh, wget -O- … | bash, iwr … | iex
  { label: 'pipe_to_shell', score: 0.9, hints: ['|'], regex: new RegExp(`\\b${FETCH}\\b[^\\n|;&]{0,512}\\|\\s*${INTERPRETER}`, 'gi') },
  // bash <(curl …), sh -c "$(wget -qO- …)", eval "$(curl …)", source <(curl …)
  { label: 'pipe_to_shell', score: 0.9, hints: ['$(', '<('], regex: new RegExp(`(?:\\b(?:ba|z|k)?sh\\s+(?:-[a-z]+\\s+){0,2}|\\beval\\s+|\\bsource\\s+|\\.\\s+)["']?(?:<\\(|\\$\\()\\s*${FETCH}\\b`, 'gi') },
  // echo … | base64 -d | sh
  { label: 'pipe_to_shell', score: 0.85, hints: ['base64'], regex: new RegExp(`\\bbase64\\s+(?:-d|-D|--decode)\\b[^\\n|;&]{0,64}\\|\\s*${SHELL}`, 'gi') },
  // iex (iwr …), IEX(New-Object Net.WebClient).DownloadString(…)
  {
    label: 'download_exec',
    score: 0.9,
    hints: ['iex', 'invoke-expression'],
    regex: /\b(?:iex|invoke-expression)\b\s*\(?\s*\(?\s*(?:iwr|irm|curl|wget|invoke-webrequest|invoke-restmethod|new-object\s+(?:system\.)?net\.webclient)\b[^\n;|]{0,512}/gi,
  },
  { label: 'download_exec', score: 0.8, hints: ['webclient'], regex: /\bnew-object\s+(?:system\.)?net\.webclient\)?\s*\.\s*download(?:string|file|data)\s*\(/gi },
  { label: 'download_exec', score: 0.85, hints: ['certutil'], regex: /\bcertutil(?:\.exe)?\b[^\n]{0,256}?[-/]urlcache\b/gi },
  { label: 'download_exec', score: 0.85, hints: ['mshta'], regex: /\bmshta(?:\.exe)?\s+["']?(?:https?|javascript|vbscript):/gi },
  { label: 'download_exec', score: 0.75, hints: ['bitsadmin'], regex: /\bbitsadmin(?:\.exe)?\b[^\n]{0,256}?\/transfer\b/gi },
  // powershell -enc <base64> (every prefix PowerShell accepts for -EncodedCommand): how download
  // cradles are usually shipped, so it counts as download-and-execute.
  {
    label: 'download_exec',
    score: 0.85,
    hints: ['powershell', 'pwsh'],
    regex: /\b(?:powershell|pwsh)(?:\.exe)?\b[^\n]{0,256}?\s[-/]e(?:c|n|nc|nco|ncod|ncode|ncoded|ncodedc|ncodedco|ncodedcom|ncodedcomm|ncodedcomma|ncodedcomman|ncodedcommand)?\s+["']?[A-Za-z0-9+/]{16,}={0,2}/gi,
  },
  { label: 'destructive_shell', score: 0.9, hints: ['mkfs'], regex: /\bmkfs(?:\.[a-z0-9]+)?\s+\S+/gi },
  { label: 'destructive_shell', score: 0.9, hints: ['of=/dev/'], regex: /\bdd\b[^\n;&|]{0,256}?\bof=\/dev\/(?!null\b|zero\b|u?random\b|stdout\b|stderr\b|tty\b|fd\/)[a-z]\w*/gi },
  { label: 'destructive_shell', score: 0.9, hints: ['/dev/'], regex: />\s*\/dev\/(?:sd[a-z]|nvme\d|hd[a-z]|xvd[a-z]|vd[a-z]|mmcblk\d|disk\d)/gi },
  { label: 'destructive_shell', score: 0.85, hints: ['shred', 'wipefs'], regex: /\b(?:shred|wipefs)\b[^\n;&|]{0,128}?\/dev\/[a-z]\w*/gi },
  // :(){ :|:& };:  and the same with any function name
  { label: 'destructive_shell', score: 0.9, hints: ['()'], regex: /([A-Za-z_:][A-Za-z0-9_:]{0,20})\s*\(\)\s*\{\s*\1\s*\|\s*\1\s*&\s*\}\s*;?\s*\1/g },
  { label: 'destructive_shell', score: 0.8, hints: ['chmod'], regex: /\bchmod\s+-R\s+0?777\s+\/(?=\s|$|;|&)/gi },
  { label: 'destructive_shell', score: 0.8, hints: ['chown'], regex: /\bchown\s+-R\s+\S+\s+\/(?=\s|$|;|&)/gi },
  { label: 'destructive_shell', score: 0.85, hints: ['-delete'], regex: /\bfind\s+\/\s[^\n;&|]{0,256}?-delete\b/gi },
  { label: 'destructive_shell', score: 0.85, hints: ['format'], regex: /\bformat(?:\.com)?\s+[a-z]:(?:\s|$)/gi },
  { label: 'destructive_shell', score: 0.85, hints: [':\\'], regex: /\b(?:rd|rmdir|del|erase)\s+(?:\/[a-z]\s+){1,4}["']?[a-z]:\\(?:\*|windows\b|users\b|["'\s]|$)/gi },
  { label: 'destructive_shell', score: 0.85, hints: ['remove-item'], regex: /\bremove-item\b[^\n]{0,256}?-recurse\b[^\n]{0,256}?["']?[a-z]:\\(?:\*|windows\b|users\b|["'\s]|$)/gi },
  { label: 'destructive_shell', score: 0.9, hints: ['--no-preserve-root'], regex: /--no-preserve-root\b/g },
];

/** `rm` with flags, then what it removes up to the end of the command. */
const RM = /\brm\s+((?:-{1,2}[A-Za-z-]+\s+){1,6})([^;&|\n]{1,512})/g;
/** What a recursive rm must not be pointed at: the root, the home directory, top-level system directories. */
const CRITICAL_TARGET = /^(?:\/\*?|~\/?\*?|\$\{?HOME\}?\/?\*?|\/(?:bin|boot|dev|etc|home|lib|lib64|opt|proc|root|run|sbin|srv|sys|usr|var)\/?\*?|\/(?:usr|var)\/(?:lib|bin|local)\/?\*?)$/;
/** `chmod +x x && ./x`: running a file just made executable, usually just downloaded. */
const CHMOD_RUN = /\bchmod\s+(?:[ugoa]*\+x|0?[0-7]{2}[1357])\s+(\S{1,256})\s*(?:&&|;)\s*(?:sudo\s+)?(?:\.\/|\/|(?:ba)?sh\s+)/gi;
const FETCHES = new RegExp(`\\b${FETCH}\\b`, 'i');

export function findDangerousCommands(text: string): ToolMatch[] {
  const out: ToolMatch[] = [];
  const lower = text.toLowerCase();
  for (const p of PATTERNS) {
    if (!p.hints.some((h) => lower.includes(h))) continue;
    p.regex.lastIndex = 0;
    for (let m = p.regex.exec(text); m !== null; m = p.regex.exec(text)) {
      out.push({ start: m.index, end: m.index + m[0].length, label: p.label, score: p.score });
    }
  }
  RM.lastIndex = 0;
  for (let m = lower.includes('rm ') ? RM.exec(text) : null; m !== null; m = RM.exec(text)) {
    if (recursiveRmOfCritical(m[1]!, m[2]!)) out.push({ start: m.index, end: m.index + m[0].trimEnd().length, label: 'destructive_shell', score: 0.95 });
  }
  CHMOD_RUN.lastIndex = 0;
  for (let m = lower.includes('chmod') ? CHMOD_RUN.exec(text) : null; m !== null; m = CHMOD_RUN.exec(text)) {
    // Alone it is a build step; after a download in the same command it is download-and-run.
    out.push({ start: m.index, end: m.index + m[0].length, label: 'download_exec', score: FETCHES.test(text) ? 0.9 : 0.5 });
  }
  return out;
}

function recursiveRmOfCritical(flags: string, targets: string): boolean {
  const recursive = /(?:^|\s)-[A-Za-z]*[rR]|--recursive\b/.test(flags);
  if (!recursive) return false;
  return targets
    .trim()
    .split(/\s+/)
    .map((t) => t.replace(/^["']|["']$/g, ''))
    .some((t) => CRITICAL_TARGET.test(t));
}
