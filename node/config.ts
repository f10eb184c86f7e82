import { cpus } from 'node:os';
import { CairnError } from '../src/util/errors.js';
import { defaultDataDir, defaultNodeName } from './data-dir.js';

/** Everything a node needs to start, resolved from flags and defaults. */
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
}

export interface NodeStartFlags {
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

/** Resolves `cairn node start` flags; bad values are usage errors (exit 2). */
export function resolveNodeConfig(flags: NodeStartFlags, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const name = flags.name ?? defaultNodeName();
  if (!/^[A-Za-z0-9._-]{1,63}$/.test(name)) throw new CairnError('USAGE', `node name "${name}" may use letters, digits, . _ - (up to 63)`);
  const { host, port } = parseHostPort(flags.api ?? '127.0.0.1:7070');
  const slots = flags.slots === undefined ? Math.max(1, cpus().length) : Number(flags.slots);
  if (!Number.isInteger(slots) || slots < 1 || slots > 1024) throw new CairnError('USAGE', '--slots takes a whole number from 1 to 1024');
  const labels = (flags.labels ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    name,
    dataDir: flags.dataDir ?? defaultDataDir(name),
    listen: [flags.listen ?? '/ip4/127.0.0.1/tcp/0'],
    apiHost: host,
    apiPort: port,
    join: flags.join ?? [],
    labels,
    slots,
    clusterKeyFile: flags.clusterKey ?? null,
    apiToken: env.CAIRN_API_TOKEN || null,
  };
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
