/**
 * The seeded Raft simulator: a cluster of Raft cores on a simulated clock and network, with
 * fault injection, safety and linearizability checkers. Deterministic: a seed replays exactly.
 * CLI: `npm run sim -- --seeds A..B [--nodes N] [--steps S]` (cli.ts).
 */
export { SimCluster, defaultClusterOptions } from './cluster.js';
export type { ClusterOptions, LeaderChange, NetOptions } from './cluster.js';
export { SimNode, crashPoints } from './sim-node.js';
export type { CrashPoint, RaftTuning } from './sim-node.js';
export { runSeed } from './run-seed.js';
export type { FaultMix, SeedOptions, SeedResult } from './run-seed.js';
export { Checkers, SafetyViolation } from './checkers.js';
export { checkKey, checkLinearizable } from './linearizability.js';
export type { HistoryOp, LinearizabilityVerdict } from './linearizability.js';
export { Prng } from './prng.js';
