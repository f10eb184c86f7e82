import { trace } from '../src/util/trace.js';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';
import type { ApiService, LogChunk, PipelineRegistration, SubmitRequest } from '../src/api/index.js';
import {
  clusterStatusView, isJobState, jobStatusView, jobsView, terminalJobStates, type ClusterState, type Command, type CommandResult,
} from '../src/cluster/index.js';
import { defaultInputs, isScriptPipeline, parsePipeline, parseScriptPipeline, planPipeline, type JsonValue } from '../src/pipeline/index.js';
import type { Network } from '../src/net/index.js';
import type { Store } from '../src/store/index.js';
import { CairnError } from '../src/util/errors.js';
import type { LogService } from '../src/logstore/index.js';
import { orThrow } from './proposer.js';

/** A follower of a job that has not started yet looks for its first attempt this often. */
const logWaitPollMs = 100;
/** Events held for one slow event-stream client before the oldest are dropped. */
const eventQueueMax = 1000;

/** How often /metrics' event-loop-delay histogram samples the loop. */
const eventLoopSampleMs = 100;

export interface NodeApiInit {
  name: string;
  /** The node's log service: local files for its own attempts, gossip + repair for others'. */
  logs: LogService;
  state(): ClusterState;
  raftInfo(): { leader: string | null; term: number; role: string };
  propose(cmd: Command): Promise<CommandResult>;
  store: Store;
  net: Network;
  jobsRunning(): number;
}

/**
 * The REST API's view of a node: reads come from this node's copy of the replicated state and
 * store (any node answers); writes are proposed to the log (the core forwards them to the leader).
 */
export function createNodeApi(init: NodeApiInit): ApiService {
  const registry = new Registry();
  // The event-loop-delay histogram samples every 10 ms by default: 80 of an idle node's ~180
  // wake-ups a second. A tenth of that still shows a stalled loop.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: eventLoopSampleMs });
  const jobsGauge = new Gauge({ name: 'cairn_jobs', help: 'Jobs in the cluster by state', labelNames: ['state'], registers: [registry] });
  const runningGauge = new Gauge({ name: 'cairn_node_running_attempts', help: 'Attempts running on this node', registers: [registry] });
  const termGauge = new Gauge({ name: 'cairn_raft_term', help: 'Current Raft term', registers: [registry] });
  const leaderGauge = new Gauge({ name: 'cairn_raft_is_leader', help: '1 when this node leads', registers: [registry] });

  return {
    async cluster() {
      const r = init.raftInfo();
      const state = init.state();
      // The committer-to-nick map rides along for the chat bot's notifications.
      return { ...clusterStatusView(state, { leader: r.leader, term: r.term }), config: { chatUsers: state.config.chatUsers } };
    },
    async nodes() {
      const r = init.raftInfo();
      return clusterStatusView(init.state(), { leader: r.leader, term: r.term }).nodes;
    },
    async submit(req: SubmitRequest) {
      trace('api-submit');
      if (req.secrets && Object.keys(req.secrets).length > 0) {
        throw new CairnError('INVALID_INPUT', 'secrets cannot be submitted to the cluster yet: they would be written to the replicated log');
      }
      let text = req.pipeline;
      let file = req.file ?? 'submitted.yml';
      let repo = req.repo;
      let ref = req.ref;
      let name: string | undefined = req.name;
      if (text === undefined) {
        const reg = req.name === undefined ? undefined : init.state().pipelines[req.name];
        if (!reg) throw new CairnError('PIPELINE_NOT_FOUND', `no registered pipeline ${req.name}`, { name: req.name ?? null, registered: Object.keys(init.state().pipelines) });
        text = reg.text;
        file = reg.fileName;
        repo ??= reg.repo ?? undefined;
        ref ??= reg.ref ?? undefined;
      }
      const pipeline = isScriptPipeline(text) ? parseScriptPipeline(text, file) : parsePipeline(text, file);
      const inputs = { ...defaultInputs(pipeline), ...(req.inputs ?? {}) };
      const plan = planPipeline(pipeline, { inputs });
      name ??= pipeline.name;
      const authorEmail = repo ? await commitAuthorEmail(repo, ref) : null;
      const res = orThrow(
        await init.propose({
          kind: 'RunSubmitted', plan, pipeline: name, labels: req.labels ?? [], inputs,
          ...(repo ? { source: { repo, ref: ref ?? null, ...(authorEmail !== null ? { authorEmail } : {}) } } : {}),
          requestId: `${init.name}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}`,
        }),
      );
      const run = res.run!;
      const view = jobStatusView(init.state(), run.jobs.length === 1 ? run.jobs[0]! : run.id);
      return { id: view.id, state: view.state, jobs: run.jobs };
    },
    async jobs(q) {
      if (q.state !== undefined && !isJobState(q.state)) throw new CairnError('INVALID_INPUT', `unknown state ${q.state}`);
      return jobsView(init.state(), q.state === undefined ? {} : { state: q.state });
    },
    async job(id) {
      return jobStatusView(init.state(), id);
    },
    async *logs(id, { from, follow, signal }): AsyncIterable<LogChunk> {
      const view = jobStatusView(init.state(), id);
      const job = view.jobs.length === 1 ? view.jobs[0]!.id : null;
      if (job === null) throw new CairnError('INVALID_INPUT', `${id} is a run of several jobs: ask for one of ${view.jobs.map((j) => j.id).join(', ')}`);
      // Wait (while following) until the job has an attempt; then follow the latest attempt's
      // log, by sequence, from wherever it is: this node's files or the owner's gossip.
      for (;;) {
        const rec = init.state().jobs[job];
        const attempt = rec?.attempts.at(-1);
        if (attempt !== undefined) {
          const owner = init.state().nodes[attempt.node]?.id;
          const ended = rec !== undefined && terminalJobStates.has(rec.state);
          for await (const c of init.logs.follow(job, attempt.n, { fromSeq: from, ...(owner ? { owner } : {}), follow: follow && !ended, signal })) {
            yield { seq: c.seq, data: c.data };
          }
          return;
        }
        if (rec === undefined || terminalJobStates.has(rec.state) || !follow || signal.aborted) return;
        await new Promise((r) => setTimeout(r, logWaitPollMs));
      }
    },
    async cancel(id) {
      jobStatusView(init.state(), id);
      orThrow(await init.propose({ kind: 'JobCancelled', job: id, reason: 'cancelled by a user' }));
      return jobStatusView(init.state(), id);
    },
    async history({ limit }) {
      return init.store.history({ limit });
    },
    async pipelines() {
      return Object.values(init.state().pipelines).map((p) => ({ name: p.name, repo: p.repo, ref: p.ref, file: p.fileName }));
    },
    async addPipeline(reg: PipelineRegistration) {
      const pipeline = isScriptPipeline(reg.content) ? parseScriptPipeline(reg.content, reg.name) : parsePipeline(reg.content, `${reg.name}.yml`);
      planPipeline(pipeline);
      orThrow(await init.propose({ kind: 'PipelineAdded', name: reg.name, fileName: `${reg.name}.yml`, text: reg.content, ...(reg.repo ? { repo: reg.repo } : {}), ...(reg.ref ? { ref: reg.ref } : {}) }));
      return { name: reg.name };
    },
    async removePipeline(name) {
      orThrow(await init.propose({ kind: 'PipelineRemoved', name }));
      return { name };
    },
    async setConfig(key, value) {
      orThrow(await init.propose({ kind: 'ConfigSet', key, value: value as JsonValue }));
      return { key, value: (init.state().config as unknown as Record<string, unknown>)[key] ?? value };
    },
    async *events(signal) {
      // Events arrive by callback; a bounded queue hands them to the stream (a slow client loses the oldest).
      const queue: unknown[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = init.logs.events.subscribe((e) => {
        queue.push(e);
        if (queue.length > eventQueueMax) queue.shift();
        wake?.();
      });
      const onAbort = () => wake?.();
      signal.addEventListener('abort', onAbort);
      try {
        while (!signal.aborted) {
          while (queue.length > 0) yield queue.shift();
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      } finally {
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
      }
    },
    async setNodeLabels(node, { add, remove }) {
      const rec = init.state().nodes[node];
      if (!rec) throw new CairnError('NOT_FOUND', `no node ${node}`, { node, nodes: Object.keys(init.state().nodes) });
      const labels = [...rec.userLabels.filter((l) => !remove.includes(l)), ...add.filter((l) => !rec.userLabels.includes(l))];
      orThrow(await init.propose({ kind: 'NodeLabelsSet', node, labels }));
      const r = init.raftInfo();
      return clusterStatusView(init.state(), { leader: r.leader, term: r.term }).nodes.find((n) => n.name === node);
    },
    async health() {
      const r = init.raftInfo();
      return { ok: true, node: init.name, role: r.role, leader: r.leader, term: r.term };
    },
    async metrics() {
      const state = init.state();
      jobsGauge.reset();
      for (const j of Object.values(state.jobs)) jobsGauge.inc({ state: j.state });
      runningGauge.set(init.jobsRunning());
      const r = init.raftInfo();
      termGauge.set(r.term);
      leaderGauge.set(r.role === 'leader' ? 1 : 0);
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** `git log` on a submitted repo gives up after this long: a submit must not hang on git. */
const commitAuthorTimeoutMs = 5000;

/**
 * The author e-mail of commit `ref` (default HEAD) of a local repository, for the chat bot's
 * committer notifications; null for a remote URL (reading it would mean a clone) or when git
 * cannot tell (no such ref, not a repository): a submit does not fail for want of it.
 */
export async function commitAuthorEmail(repo: string, ref: string | undefined): Promise<string | null> {
  const dir = localRepoPath(repo);
  if (dir === null) return null;
  return new Promise((resolve) => {
    execFile('git', ['-C', dir, 'log', '-1', '--format=%ae', ref ?? 'HEAD', '--'], { timeout: commitAuthorTimeoutMs }, (err, stdout) => {
      const email = err ? '' : String(stdout).trim();
      resolve(email === '' ? null : email);
    });
  });
}

/** A local path (absolute, relative or file://) of a repository, or null for a network URL. */
function localRepoPath(repo: string): string | null {
  if (repo.startsWith('file://')) return fileURLToPath(repo);
  // scheme://… and scp-like user@host:path are remote.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/\\]+@[^/:]+:/.test(repo)) return null;
  return repo;
}
