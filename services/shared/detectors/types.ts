/**
 * Built-in detectors: pure functions from one event (plus the small context the worker
 * keeps) to a score and evidence spans. The rule engine runs each at most once per event and
 * shares the result among every rule that uses it (`detect:` conditions in rules/*.yaml).
 */
import type { TelemetryEvent } from '../events/schema.js';

/** One piece of evidence: which span of which field made the detector fire, and why. */
export interface Finding {
  /** The detector's name, e.g. `injection`. */
  detector: string;
  /** Field path in the event, e.g. `prompt.messages[1].content`, `tool_call.arguments.cmd`. */
  field: string;
  /** UTF-16 offsets into that field's text: `text.slice(start, end)` is the evidence. */
  start: number;
  end: number;
  /** 0..1: how sure this finding is. */
  score: number;
  /** What was found, stable and greppable: `override`, `role_token`, `aws_access_key`, `luhn_card`. */
  label: string;
}

export interface DetectorResult {
  /** The highest finding score, 0 when nothing was found. */
  score: number;
  findings: Finding[];
}

/**
 * What a detector may know besides the event. Everything here is either configuration
 * (from the rule pack's `kind: detectors` document) or state the worker can rebuild from
 * the topic (the session's system prompt).
 */
export interface DetectorContext {
  config: DetectorConfig;
  /** The latest system prompt seen in this event's session, for leakage checks on outputs. */
  sessionSystemPrompt?: string | null;
}

/** Options of the built-in detectors, set in the rule pack (`kind: detectors`). All optional. */
export interface DetectorConfig {
  /** Hosts (exact, or `*.example.com`) that links, images and egress may go to without suspicion. */
  allowed_hosts?: string[];
  /** Canary tokens an app planted in prompts or documents: any appearance downstream is a leak. */
  canaries?: string[];
  /** Per-agent tool policy; the key `*` applies to every agent. */
  tool_policy?: Record<string, { allow?: string[]; deny?: string[] }>;
  /** Hosts tool calls may reach (`tool_call.target` and URLs in arguments); others are egress findings. */
  egress_allowlist?: string[];
}

/** A built-in detector. `run` must be pure and fast: it is on the hot path of every event. */
export interface Detector {
  readonly name: string;
  /** One line for `runwatch rules` docs and lint messages. */
  readonly description: string;
  run(event: TelemetryEvent, ctx: DetectorContext): DetectorResult;
}

export const NO_FINDINGS: DetectorResult = Object.freeze({ score: 0, findings: [] }) as DetectorResult;

/** Builds a result from findings: the score is the highest finding's. */
export function resultOf(findings: Finding[]): DetectorResult {
  if (findings.length === 0) return NO_FINDINGS;
  let score = 0;
  for (const f of findings) score = Math.max(score, f.score);
  return { score, findings };
}
