/** Defaults and limits of the cluster state machine, each with the reason for its value. */

/** Lease of a node: three missed heartbeats at the daemon's 1 s interval, short enough to rerun a dead node's jobs soon. */
export const defaultLeaseMs = 3000;
/** Shortest lease a ConfigSet may set: below this, a busy event loop would look like a dead node. */
export const leaseMsMin = 200;
/** Longest lease: ten minutes, past which a dead node's jobs would wait too long to be rerun. */
export const leaseMsMax = 600_000;
/** Voters kept by membership: five survive two failures, as etcd and Consul recommend. */
export const defaultMaxVoters = 5;
/** SPEC.md: node-lost retried twice, failure not retried. */
/** SPEC.md's default retry policy; one definition, in the pipeline model. */
export { defaultRetryPolicy } from '../pipeline/empty-job.js';
/** Most retries a job may ask for: a job failing more often than this needs a person, not a loop. */
export const retryMaxLimit = 10;
/** Most job instances in one run: GitHub's matrix limit is 256 per job. */
export const runJobsMax = 256;
/** Most unfinished jobs (queued, placed or running) before submits are refused: the leader scans them every pass. */
export const openJobsMax = 10_000;
/** Finished jobs kept in the state for `cairn jobs`/`status`; older runs live only in the git history. */
export const finishedJobsRetainedMax = 1000;
/** Job outputs travel through the Raft log: GitHub's limit is 1 MiB per job, so is ours. */
export const jobOutputsBytesMax = 1 << 20;
/** A registered pipeline file rides in the log and the store; workflow files are far smaller. */
export const pipelineTextBytesMax = 1 << 20;
/** Reasons and error texts from nodes are cut to this length, to keep the log small. */
export const reasonLengthMax = 1024;
/** Most addresses a node advertises. */
export const nodeAddrsMax = 32;
/** A node's `--slots` bound, as the CLI enforces it. */
export const nodeSlotsMax = 1024;
/** Node and pipeline names: as `cairn node start --name` accepts them. */
export const nameRe = /^[A-Za-z0-9._-]{1,63}$/;
/**
 * Most reports in one AttemptReports entry: a node with many slots finishing jobs together
 * still sends small entries (each report may carry up to jobOutputsBytesMax of outputs).
 */
export const attemptReportsMax = 64;
