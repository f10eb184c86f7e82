import { hostname, homedir } from 'node:os';
import { join } from 'node:path';

/** SPEC.md: the default data directory is `$XDG_DATA_HOME/cairn/<name>`. */
export function defaultDataDir(name: string): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'cairn', name);
}

/** A node's name defaults to the host name, made safe for labels and paths. */
export function defaultNodeName(): string {
  return hostname().replace(/[^A-Za-z0-9._-]/g, '-') || 'node';
}

/** The files and folders of a data directory (SPEC.md "Data directory"). */
export function dataDirLayout(dir: string) {
  return {
    root: dir,
    peerKey: join(dir, 'peer.key'),
    raft: join(dir, 'raft'),
    store: join(dir, 'store'),
    logs: join(dir, 'logs'),
    work: join(dir, 'work'),
    pidfile: join(dir, 'node.pid'),
    logfile: join(dir, 'node.log'),
  };
}
