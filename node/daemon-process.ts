/**
 * The daemon's process settings. A node idles for days, so it trades a little peak speed for
 * memory; V8 and glibc read these settings only at process start, so `cairn node start`
 * re-executes itself once with them (`process.execve` keeps the pid, which the pidfile, systemd
 * and `--detach` rely on) before it loads the daemon. Figures: bench/cluster.bench.ts part (d).
 */

/**
 * V8 flags for the daemon process:
 * - a 1 MiB semi-space: V8 otherwise grows the young generation towards 2 × 16 MiB during
 *   start-up (module loading) and keeps it, ~12 MiB more RSS on an idle node; the price is more
 *   scavenges, 0-20 % more CPU per job in bench (b), within that box's noise;
 * - Maglev as the top tier: TurboFan's code pages (~2.5 MiB of the executable) and compile memory
 *   are never touched, and bench (a)/(b) show no measurable loss without it.
 */
export const daemonV8Flags: readonly string[] = ['--max-semi-space-size=1', '--max-opt=2'];
/** glibc makes a malloc arena per thread (up to 8 per core); two hold the daemon's few threads. */
const mallocArenaMax = '2';
/** Set in the re-executed process: 'arena' when MALLOC_ARENA_MAX was ours to set, else 'flags'. */
const reexecMarker = 'CAIRN_DAEMON_REEXEC';

/**
 * Re-executes this process with the daemon's settings unless it already runs with them; returns
 * only when it does not re-execute (already done, or a Node without `process.execve`).
 */
export function reexecAsDaemon(): void {
  const marker = process.env[reexecMarker];
  if (marker !== undefined) {
    // Jobs the daemon spawns inherit its environment: they get neither the marker nor our arena limit.
    delete process.env[reexecMarker];
    if (marker === 'arena') delete process.env.MALLOC_ARENA_MAX;
    return;
  }
  if (typeof process.execve !== 'function' || process.argv[1] === undefined) return;
  const ownArena = process.env.MALLOC_ARENA_MAX === undefined;
  // A flag the user gave (on the command line or in NODE_OPTIONS) wins over ours.
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map((a) => a.split('=')[0]);
  const flags = daemonV8Flags.filter((f) => !given.includes(f.split('=')[0]));
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...flags, ...process.argv.slice(1)], {
    ...process.env,
    [reexecMarker]: ownArena ? 'arena' : 'flags',
    ...(ownArena ? { MALLOC_ARENA_MAX: mallocArenaMax } : {}),
  });
}
