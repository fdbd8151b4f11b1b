/**
 * The rule pack a service runs (detector workers, hunts), and its hot reload: changed rule files are loaded, compiled
 * and swapped in between batches; a pack with errors is refused and the running one stays.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { DetectorRegistry } from '../detectors/registry.js';
import { RunwatchError } from '../errors.js';
import type { Logger } from '../log.js';
import { formatProblem, hasErrors, loadPack, type CompiledPack } from './index.js';

/** A rule pack with errors: the message lists each as file:line:col. */
export class RulePackError extends RunwatchError {
  constructor(message: string) {
    super('RW_ERR_RULE_PARSE', message);
  }
}

export function loadPackOrThrow(dirs: string[], registry: DetectorRegistry): CompiledPack {
  const { pack, problems } = loadPack(dirs, registry);
  if (hasErrors(problems)) throw new RulePackError(`rule pack has errors:\n${problems.map(formatProblem).join('\n')}`);
  return pack;
}

export interface PackWatcher {
  close(): void;
}

/** Calls `onPack` with each valid new pack after rule files change (debounced). */
export function watchPack(
  dirs: string[],
  registry: DetectorRegistry,
  log: Logger,
  onPack: (pack: CompiledPack) => void,
  onRejected: () => void,
): PackWatcher {
  let timer: NodeJS.Timeout | undefined;
  const reload = (): void => {
    try {
      onPack(loadPackOrThrow(dirs, registry));
      log.info({ dirs }, 'rule pack reloaded');
    } catch (err) {
      onRejected();
      log.error({ err: (err as Error).message }, 'rule pack change rejected; the running rules stay');
    }
  };
  const watchers: FSWatcher[] = dirs.map((dir) =>
    watch(dir, { recursive: true }, (_event, name) => {
      if (name && !/\.ya?ml$/.test(String(name))) return;
      clearTimeout(timer);
      timer = setTimeout(reload, 300);
    }),
  );
  return {
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
