/**
 * A developer's timeline: with CAIRN_TRACE=1 a node writes `{"t": epoch ms, "trace": what, ...}`
 * lines to stderr at the points a request passes (API, proposal, Ready, WAL, send, apply,
 * attempt start), which bench/cluster.bench.ts (CAIRN_BENCH_VERBOSE) merges across nodes.
 * Off, it costs one boolean test per call.
 */
export const tracing = process.env.CAIRN_TRACE === '1';

export function trace(what: string, data?: Record<string, unknown>): void {
  if (!tracing) return;
  process.stderr.write(JSON.stringify({ t: performance.timeOrigin + performance.now(), trace: what, ...data }) + '\n');
}
