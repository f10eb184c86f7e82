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
/**
 * glibc's malloc settings for the daemon (ones the user set win):
 * - one arena: glibc otherwise makes one per thread (up to 8 per core), and the daemon's threads
 *   (V8's workers, libuv's pool) allocate little;
 * - a fixed 128 KiB mmap threshold (and trim threshold): glibc otherwise raises both as large
 *   blocks are freed, up to 32 MiB, and then keeps freed memory it could hand back.
 * Together ~2.5 MiB less idle RSS (bench (d)); jobs the daemon spawns do not inherit them.
 */
const mallocSettings: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};
/** Set in the re-executed process: the malloc settings that were ours to set, comma-separated. */
const reexecMarker = 'CAIRN_DAEMON_REEXEC';

/**
 * Re-executes this process with the daemon's settings unless it already runs with them; returns
 * only when it does not re-execute (already done, or a Node without `process.execve`).
 */
export function reexecAsDaemon(): void {
  const marker = process.env[reexecMarker];
  if (marker !== undefined) {
    // Jobs the daemon spawns inherit its environment: they get neither the marker nor our malloc settings.
    delete process.env[reexecMarker];
    for (const name of marker.split(',')) if (name in mallocSettings) delete process.env[name];
    return;
  }
  if (typeof process.execve !== 'function' || process.argv[1] === undefined) return;
  const ours = Object.keys(mallocSettings).filter((name) => process.env[name] === undefined);
  // A flag the user gave (on the command line or in NODE_OPTIONS) wins over ours.
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map((a) => a.split('=')[0]);
  const flags = daemonV8Flags.filter((f) => !given.includes(f.split('=')[0]));
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...flags, ...process.argv.slice(1)], {
    ...process.env,
    [reexecMarker]: ours.join(','),
    ...Object.fromEntries(ours.map((name) => [name, mallocSettings[name]!])),
  });
}
