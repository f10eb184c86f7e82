import { arch as osArch, cpus, platform } from 'node:os';
import { resolve } from 'node:path';
import { effectiveLabels } from '../src/scheduler/index.js';
import { CairnError } from '../src/util/errors.js';
import type { NodeSettings } from './config-file.js';
import { defaultDataDir, defaultNodeName } from './data-dir.js';

/** Everything a node needs to start, resolved from flags, its config file and defaults. */
export interface NodeConfig {
  name: string;
  dataDir: string;
  listen: string[];
  apiHost: string;
  apiPort: number;
  join: string[];
  labels: string[];
  slots: number;
  clusterKeyFile: string | null;
  apiToken: string | null;
  /** `--config FILE` as an absolute path: SIGHUP reads it again. Null without one. */
  configFile: string | null;
  /** The command line the node started with: flags win over the file, on start and on reload. */
  flags: NodeStartFlags;
}

export interface NodeStartFlags {
  config?: string;
  dataDir?: string;
  name?: string;
  listen?: string;
  api?: string;
  join?: string[];
  labels?: string;
  slots?: string;
  clusterKey?: string;
  detach?: boolean;
}

/**
 * Resolves `cairn node start`: the flags, then `--config FILE` for what the flags leave out,
 * then defaults. Bad values are usage errors (exit 2) that name their source.
 */
export async function loadNodeConfig(flags: NodeStartFlags, env: NodeJS.ProcessEnv = process.env): Promise<NodeConfig> {
  const configFile = flags.config === undefined ? null : resolve(flags.config);
  // The file's reader (and its YAML parser) loads only for a node that has one.
  const fromFile = configFile === null ? {} : await (await import('./config-file.js')).readConfigFile(configFile);
  const fromFlags: NodeSettings = {
    ...definedOnly({ name: flags.name, dataDir: flags.dataDir, listen: flags.listen, api: flags.api, join: flags.join, slots: flags.slots, clusterKey: flags.clusterKey }),
    ...(flags.labels === undefined ? {} : { labels: splitList(flags.labels) }),
  };
  const labelsFrom = flags.labels === undefined && configFile !== null ? configFile : '--labels';
  return { ...resolveSettings({ ...fromFile, ...fromFlags }, labelsFrom, env), configFile, flags };
}

function resolveSettings(s: NodeSettings, labelsFrom: string, env: NodeJS.ProcessEnv): Omit<NodeConfig, 'configFile' | 'flags'> {
  const name = s.name ?? defaultNodeName();
  if (!/^[A-Za-z0-9._-]{1,63}$/.test(name)) throw new CairnError('USAGE', `node name "${name}" may use letters, digits, . _ - (up to 63)`);
  const { host, port } = parseHostPort(s.api ?? '127.0.0.1:7070');
  const slots = s.slots === undefined ? Math.max(1, cpus().length) : Number(s.slots);
  if (!Number.isInteger(slots) || slots < 1 || slots > 1024) throw new CairnError('USAGE', '--slots takes a whole number from 1 to 1024');
  const labels = s.labels ?? [];
  try {
    // The same check the cluster applies: a bad label stops the node here, not at its announcement.
    effectiveLabels({ name, os: platform(), arch: osArch(), labels });
  } catch (err) {
    if (err instanceof CairnError) throw new CairnError('USAGE', `${labelsFrom}: ${err.message}`, err.data, { cause: err });
    throw err;
  }
  return {
    name,
    dataDir: s.dataDir ?? defaultDataDir(name),
    listen: [s.listen ?? '/ip4/127.0.0.1/tcp/0'],
    apiHost: host,
    apiPort: port,
    join: s.join ?? [],
    labels,
    slots,
    clusterKeyFile: s.clusterKey ?? null,
    apiToken: env.CAIRN_API_TOKEN || null,
  };
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Accepts `host:port`, `[v6]:port`, `:port` or a URL such as http://127.0.0.1:7070. */
export function parseHostPort(value: string): { host: string; port: number } {
  let v = value.trim();
  if (/^https?:\/\//.test(v)) {
    const u = new URL(v);
    v = `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  }
  const m = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(v);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new CairnError('USAGE', `--api takes HOST:PORT, not "${value}"`);
  return { host: m[1] === '' ? '127.0.0.1' : m[1]!.replace(/^\[|\]$/g, ''), port };
}
