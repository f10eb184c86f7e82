/**
 * Limits and timings of the executor, each named with its unit last and a reason.
 */

/** How long a cancelled or timed-out step gets between SIGTERM and SIGKILL, as GitHub's runner gives ~7.5 s. */
export const killGraceMs = 5_000;

/** How long SIGKILLed processes get to disappear (the kernel is quick; a process in D state is not). */
export const killedGoneMs = 2_000;

/** How often we look whether a signalled process group is gone (no event tells us). */
export const groupPollMs = 20;

/**
 * After a step's main process exits, how long we wait for its output pipe to close. A
 * background child (`server &`) keeps the pipe open; the step is over anyway, and the rest of
 * that child's output still reaches the job log until the job ends.
 */
export const drainAfterExitMs = 100;

/**
 * A process's output is handed on in batches of up to this many bytes (see `pump` in
 * process.ts): per-call costs after the pipe then stay small next to per-byte ones. Well
 * below the job log's write-ahead limit, so a batch alone never makes the job wait.
 */
export const outputBatchBytes = 256 * 1024;

/**
 * How long the first bytes of a batch wait for more: 50 MB printed flat out goes through in
 * ~200 batches instead of ~6,000 pipe reads, for at most this much more latency.
 */
export const outputBatchMs = 4;

/**
 * A read of a process's output gets at least this much room in the buffer it reads into
 * (see output-pump.ts): with less left, what the buffer holds is handed on first.
 */
export const outputReadBytesMin = 16 * 1024;

/**
 * The size the output buffer starts at, as large as libuv's own reads: a quiet process pins
 * this much per running step; a fast one's grows to a batch and a read.
 */
export const outputSlabBytesMin = 64 * 1024;

/** Longest `::command::` line we buffer to inspect; longer lines pass through untouched. */
export const commandLineBytesMax = 64 * 1024;

/** Largest $GITHUB_ENV / $GITHUB_OUTPUT / $GITHUB_PATH file we read after a step (GitHub caps outputs at 1 MiB per job). */
export const stepFileBytesMax = 16 * 1024 * 1024;

/** What a masked secret becomes in every output. */
export const maskText = '***';

/** Upper bound on jobs running at once on one machine, whatever the caller asks. */
export const parallelJobsMax = 256;

/** How long we wait for a cancelled process group's pipe to close before giving up on its last bytes. */
export const pipeCloseAfterKillMs = 1_000;

/** Composite actions calling composite actions: deeper than this is surely a loop. */
export const actionDepthMax = 10;
