import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { groupPollMs, killedGoneMs } from './constants.js';

/**
 * Process groups: every step runs as the leader of its own group (setsid), so one signal to
 * the group reaches every descendant the step started, backgrounded or not.
 */

/** Sends `signal` to every process of the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPERM') return true;
    return false;
  }
}

/**
 * Whether any live (non-zombie) process is left in the group. kill(-pgid, 0) alone is not
 * enough: where PID 1 does not reap orphans (some containers), dead children stay zombies in
 * the group forever, so on Linux we read /proc to skip them.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  return liveMembers(pgid) > 0;
}

function liveMembers(pgid: number): number {
  let n = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 1;
  }
  for (const name of entries) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') n++;
  }
  return n;
}

/** Waits until the group has no live process, or `timeoutMs` passes; true when it is gone. */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!groupAlive(pgid)) return true;
    if (performance.now() >= deadline) return false;
    await delay(groupPollMs);
  }
}

/**
 * Ends a process group the way a CI runner should: SIGTERM so processes can clean up, then
 * SIGKILL to whatever is left after `graceMs`. Resolves once no live process remains.
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  // SIGCONT wakes stopped members so they can act on the SIGTERM.
  signalGroup(pgid, 'SIGCONT');
  if (await waitGroupGone(pgid, graceMs)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitGroupGone(pgid, killedGoneMs);
}

/** Groups still running, killed outright if cairn itself exits (a crash, a second Ctrl-C). */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Remembers a group so that cairn's exit kills it; `forget` once it is gone. */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const g of liveGroups) signalGroup(g, 'SIGKILL');
    });
  }
}

export function forgetGroup(pgid: number): void {
  liveGroups.delete(pgid);
}
