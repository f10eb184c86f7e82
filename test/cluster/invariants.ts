/** Invariants of the cluster state, checked after every step of the seeded simulation. */
import type { ClusterState, Effect, JobRecord } from '../../src/cluster/index.js';
import { needsGate, terminalJobStates } from '../../src/cluster/index.js';
import { queuedBySeq, queuedJobIds } from '../../src/cluster/queued-index.js';
import { matches, parseLabelTerms, toNodeLabels } from '../../src/scheduler/index.js';

function fail(msg: string): never {
  throw new Error(`invariant: ${msg}`);
}

/** Checks one state on its own. */
export function checkState(s: ClusterState): void {
  const running = new Map<string, number>();
  for (const job of Object.values(s.jobs)) {
    const run = s.runs[job.run] ?? fail(`job ${job.id} of unknown run ${job.run}`);
    if (!run.jobs.includes(job.id)) fail(`run ${run.id} does not list job ${job.id}`);
    job.attempts.forEach((a, i) => {
      if (a.n !== i + 1) fail(`job ${job.id} attempt ${i} numbered ${a.n}`);
      const active = a.state === 'placed' || a.state === 'running';
      if (active && i !== job.attempts.length - 1) fail(`job ${job.id} has an active attempt ${a.n} that is not its last`);
      if (!active && a.finishedAtMs === null) fail(`job ${job.id} attempt ${a.n} ended without a time`);
      if (active) {
        running.set(a.node, (running.get(a.node) ?? 0) + 1);
        const node = s.nodes[a.node] ?? fail(`job ${job.id} active on unknown node ${a.node}`);
        if (node.state !== 'up') fail(`job ${job.id} active on down node ${a.node}`);
      }
    });
    const last = job.attempts[job.attempts.length - 1];
    if (job.attempts.length > job.retry.max + 1) fail(`job ${job.id} has ${job.attempts.length} attempts, policy max ${job.retry.max}`);
    switch (job.state) {
      case 'queued':
        if (last && (last.state === 'placed' || last.state === 'running')) fail(`queued job ${job.id} has an active attempt`);
        if (job.result !== null) fail(`queued job ${job.id} has a result`);
        break;
      case 'placed':
      case 'running':
        if (!last || last.state !== job.state) fail(`job ${job.id} is ${job.state} but its last attempt is ${last?.state}`);
        if (job.node !== last.node) fail(`job ${job.id} node ${job.node} is not its attempt's ${last.node}`);
        if (needsGate(s, job).kind !== 'run') fail(`job ${job.id} runs although its needs do not allow it`);
        break;
      default:
        if (!terminalJobStates.has(job.state)) fail(`job ${job.id} in unknown state ${job.state}`);
        if (last && (last.state === 'placed' || last.state === 'running')) fail(`ended job ${job.id} has an active attempt`);
        if (job.result === null || job.finishedAtMs === null) fail(`ended job ${job.id} lacks result or time`);
        if (job.state === 'succeeded' && last?.state !== 'succeeded') fail(`succeeded job ${job.id} without a succeeded attempt`);
    }
    const succeeded = job.attempts.filter((a) => a.state === 'succeeded').length;
    if (succeeded > 1) fail(`job ${job.id} has ${succeeded} succeeded attempts`);
  }
  const all = Object.values(s.jobs);
  // The scheduler's index of queued jobs (kept by Draft across entries) matches a full scan.
  const indexed = [...queuedJobIds(s.jobs)].sort().join(' ');
  const scanned = all.filter((j) => j.state === 'queued').map((j) => j.id).sort().join(' ');
  if (indexed !== scanned) fail(`queued index [${indexed}], queued jobs [${scanned}]`);
  const inOrder = [...queuedBySeq(s.jobs)].map((j) => j.id).join(' ');
  const bySeq = all.filter((j) => j.state === 'queued').sort((a, b) => a.seq - b.seq).map((j) => j.id).join(' ');
  if (inOrder !== bySeq) fail(`queued jobs by seq [${inOrder}], expected [${bySeq}]`);
  if (s.jobCount !== all.length) fail(`jobCount ${s.jobCount}, jobs ${all.length}`);
  const open = all.filter((j) => !terminalJobStates.has(j.state)).length;
  if (s.openJobCount !== open) fail(`openJobCount ${s.openJobCount}, open jobs ${open}`);
  for (const n of Object.values(s.nodes)) {
    if (n.running !== (running.get(n.name) ?? 0)) fail(`node ${n.name} counts ${n.running} running, attempts say ${running.get(n.name) ?? 0}`);
  }
  for (const run of Object.values(s.runs)) {
    const jobs = run.jobs.map((id) => s.jobs[id] ?? fail(`run ${run.id} lists missing job ${id}`));
    const allEnded = jobs.every((j) => terminalJobStates.has(j.state));
    if (allEnded !== (run.state !== 'running')) fail(`run ${run.id} is ${run.state} but its jobs ${allEnded ? 'all ended' : 'have not'}`);
    for (const j of jobs) {
      if (j.state === 'queued' && j.attempts.length === 0 && needsGate(s, j).kind === 'skip') fail(`job ${j.id} should have been skipped`);
    }
  }
}

/** Checks a step against the one before: time, history, and what ended stays ended. */
export function checkStep(before: ClusterState, after: ClusterState, effects: readonly Effect[]): void {
  if (after.clockMs < before.clockMs) fail('the clock went back');
  for (const [id, old] of Object.entries(before.jobs)) {
    const now: JobRecord | undefined = after.jobs[id];
    // Copy-on-write keeps untouched records identical, so only changed ones need comparing.
    if (now === old) continue;
    if (now === undefined) {
      if (before.runs[old.run]?.state === 'running') fail(`job ${id} of a running run vanished`);
      continue;
    }
    if (now.attempts.length < old.attempts.length) fail(`job ${id} lost attempts from its history`);
    old.attempts.forEach((a, i) => {
      const b = now.attempts[i]!;
      if (a.state !== 'placed' && a.state !== 'running' && JSON.stringify(a) !== JSON.stringify(b)) fail(`ended attempt ${id}#${a.n} changed`);
    });
    if (terminalJobStates.has(old.state) && JSON.stringify(old) !== JSON.stringify(now)) fail(`ended job ${id} changed`);
  }
  // One history record per attempt that ended in this step, and a stop only to an attempt that ended.
  const ended = new Set<string>();
  for (const [id, now] of Object.entries(after.jobs)) {
    const old = before.jobs[id];
    now.attempts.forEach((a, i) => {
      const was = old?.attempts[i];
      const activeBefore = was !== undefined && (was.state === 'placed' || was.state === 'running');
      if (activeBefore && a.state !== 'placed' && a.state !== 'running') ended.add(`${id}#${a.n}`);
    });
  }
  const records = effects.flatMap((e) => (e.kind === 'history' ? [`${e.record.job}#${e.record.attempt}`] : []));
  if (records.length !== new Set(records).size) fail('two history records for one attempt');
  if ([...ended].sort().join() !== [...records].sort().join()) fail(`history records ${records.join()} for ended attempts ${[...ended].join()}`);
  for (const e of effects) {
    if (e.kind === 'stop-attempt' && !ended.has(`${e.job}#${e.attempt}`)) fail(`stop of ${e.job}#${e.attempt}, which did not end`);
    if (e.kind === 'start-attempt') {
      const a = after.jobs[e.job]?.attempts[e.attempt - 1];
      if (a === undefined || a.node !== e.node) fail(`start of ${e.job}#${e.attempt} on ${e.node} does not match the state`);
      // Labels and slots may change later (SIGHUP, a rejoin); at placement both must hold.
      const node = after.nodes[e.node] ?? fail(`start on unknown node ${e.node}`);
      if (node.running > node.slots) fail(`placement on ${e.node} makes ${node.running} running on ${node.slots} slots`);
      if (node.draining) fail(`placement on draining node ${e.node}`);
      if (!matches(parseLabelTerms(e.labels), toNodeLabels(node.labels))) fail(`${e.job} placed on ${e.node}, which does not match ${e.labels.join(',')}`);
    }
  }
}
