/** Limits of the pipeline model, each with the reason it exists (STYLE.md: limits everywhere). */

/** A pipeline file larger than this is refused before parsing: real workflows are a few KiB. */
export const pipelineBytesMax = 1024 * 1024;

/** GitHub's own limit on the combinations one matrix may produce. */
export const matrixCombinationsMax = 256;

/** Jobs in one pipeline; far above real use, it bounds planning memory. */
export const jobsMax = 1000;

/** Errors collected from one file before we stop looking: enough to fix a file in one pass. */
export const issuesMax = 50;
