/**
 * Front door of the executor: runs jobs as processes on this machine. `runJob` is the unit
 * a cluster node reuses (a job spec in, step events and log bytes out, a result back);
 * `runPlan` runs a whole DAG locally for `cairn run`.
 */
export type * from './types.js';
export { runJob, shouldRun } from './job-runner.js';
export { runPlan, unitsOf, defaultParallelJobs, type RunUnit, type RunOptions, type RunResult, type RunEvents } from './plan-runner.js';
export { scheduleDag, type DagTask, type ScheduleOptions } from './dag-scheduler.js';
export { JobDirPool, emptyJobDirs, type JobDirs } from './job-dirs.js';
export { SecretSet, MaskingStream } from './masker.js';
export { startProcess, type ProcessSpec, type ProcessOutcome, type RunningProcess } from './process.js';
export { resolveShell, builtInShells, type ShellCommand } from './shell.js';
export { findLocalAction, loadLocalAction } from './composite-action.js';
export { gitTopLevel, isCheckout } from './checkout.js';
export { killGraceMs } from './constants.js';
export { findPipelineFiles, loadPipeline, projectDir, validateRunnable, gitContext } from './load-pipeline.js';
