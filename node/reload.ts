import type { ClusterState, Command, CommandResult } from '../src/cluster/index.js';
import { loadNodeConfig, type NodeConfig } from './config.js';

/** A reload's proposal gives up after this long (no leader): the next SIGHUP tries again. */
const reloadProposeDeadlineMs = 10_000;

export interface ReloaderInit {
  /** The configuration the node started with. */
  config: NodeConfig;
  state(): ClusterState;
  propose(cmd: Command, deadlineMs?: number): Promise<CommandResult>;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

/** What one reload did. */
export type ReloadOutcome =
  | { kind: 'no-config-file' }
  | { kind: 'unchanged' }
  | { kind: 'applied'; labels: string[]; slots: number }
  | { kind: 'failed'; message: string };

/** The settings a running node can change; the rest of the file takes effect on restart. */
const restartOnly = ['name', 'dataDir', 'listen', 'apiHost', 'apiPort', 'join', 'clusterKeyFile'] as const;

/**
 * SIGHUP: reads the node's `--config` file again and, when its labels or slots changed, proposes
 * NodeLabelsSet so the scheduler places by the new ones on every node. Labels or slots given as
 * flags stay as given (flags win over the file, as on start). Reloads run one at a time; a
 * failed one (unreadable file, no leader) changes nothing and the next SIGHUP tries again.
 */
export function createReloader(init: ReloaderInit): () => Promise<ReloadOutcome> {
  const { config, log } = init;
  // What the cluster last accepted from this process: the announcement, then each reload.
  let applied = { labels: config.labels, slots: config.slots };
  let chain: Promise<unknown> = Promise.resolve();

  const reloadOnce = async (): Promise<ReloadOutcome> => {
    if (config.configFile === null) {
      log.warn({}, 'SIGHUP: this node has no --config file, nothing to reload (labels and slots given as flags stay as they are)');
      return { kind: 'no-config-file' };
    }
    let next: NodeConfig;
    try {
      next = await loadNodeConfig(config.flags);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error({ file: config.configFile, err: message }, 'SIGHUP: config file not reloaded, the node keeps its labels and slots');
      return { kind: 'failed', message };
    }
    const later = restartOnly.filter((k) => JSON.stringify(next[k]) !== JSON.stringify(config[k]));
    if (later.length > 0) log.warn({ file: config.configFile, settings: later }, 'SIGHUP: these settings changed and take effect when the node restarts');
    const pinned = [config.flags.labels === undefined ? [] : ['labels'], config.flags.slots === undefined ? [] : ['slots']].flat();
    const labelsChanged = !sameLabels(next.labels, applied.labels);
    const slotsChanged = next.slots !== applied.slots;
    if (!labelsChanged && !slotsChanged) {
      log.info({ file: config.configFile, labels: applied.labels, slots: applied.slots, ...(pinned.length ? { fromFlags: pinned } : {}) }, 'SIGHUP: labels and slots unchanged');
      return { kind: 'unchanged' };
    }
    // Labels the operator set through the API since stay when only the slots changed.
    const current = init.state().nodes[config.name]?.userLabels ?? applied.labels;
    const labels = labelsChanged ? next.labels : current;
    const res = await init.propose({ kind: 'NodeLabelsSet', node: config.name, labels, slots: next.slots }, reloadProposeDeadlineMs);
    if (!res.ok) {
      log.error({ file: config.configFile, code: res.code, err: res.message }, 'SIGHUP: the cluster did not take the new labels; send SIGHUP again');
      return { kind: 'failed', message: res.message };
    }
    log.info({ file: config.configFile, labels, slots: next.slots, previous: applied }, 'SIGHUP: labels and slots reloaded');
    applied = { labels: next.labels, slots: next.slots };
    return { kind: 'applied', labels, slots: next.slots };
  };

  return () => {
    const run = chain.then(reloadOnce, reloadOnce);
    chain = run;
    return run;
  };
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((l, i) => l === b[i]);
}
