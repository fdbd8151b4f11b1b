/**
 * The built-in detectors rules can use (`detect: <name>`), and the runner the engine calls.
 * A detector that throws is a bug, not an attack: the runner logs nothing and returns no
 * findings for it rather than losing the event.
 */
import type { DetectorConfig, Detector, DetectorResult } from './types.js';
import { NO_FINDINGS } from './types.js';
import type { TelemetryEvent } from '../events/schema.js';
import { canaryDetector } from './canary/index.js';
import { exfiltrationDetector } from './exfiltration/index.js';
import { indirectInjectionDetector } from './indirect/index.js';
import { injectionDetector, jailbreakDetector, promptExtractionDetector } from './injection/index.js';
import { piiDetector } from './pii/index.js';
import { promptLeakDetector } from './prompt-leak/index.js';
import { secretsDetector } from './secrets/index.js';
import { toolPolicyDetector } from './tool-policy/index.js';

export const BUILTIN_DETECTORS: readonly Detector[] = [
  injectionDetector,
  jailbreakDetector,
  promptExtractionDetector,
  indirectInjectionDetector,
  secretsDetector,
  piiDetector,
  canaryDetector,
  promptLeakDetector,
  exfiltrationDetector,
  toolPolicyDetector,
];

export interface DetectorRegistry {
  has(name: string): boolean;
  names(): string[];
  run(name: string, event: TelemetryEvent, config: DetectorConfig, sessionSystemPrompt: string | null): DetectorResult;
  /** Detector failures so far, by name (a metric). */
  readonly failures: Map<string, number>;
}

export function createDetectorRegistry(detectors: readonly Detector[] = BUILTIN_DETECTORS): DetectorRegistry {
  const byName = new Map(detectors.map((d) => [d.name, d]));
  const failures = new Map<string, number>();
  return {
    failures,
    has: (name) => byName.has(name),
    names: () => [...byName.keys()].sort(),
    run(name, event, config, sessionSystemPrompt) {
      const d = byName.get(name);
      if (!d) return NO_FINDINGS;
      try {
        return d.run(event, { config, sessionSystemPrompt });
      } catch {
        failures.set(name, (failures.get(name) ?? 0) + 1);
        return NO_FINDINGS;
      }
    },
  };
}
