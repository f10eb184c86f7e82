import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SubmitRequest } from '../api/service.js';
import { CairnError } from '../util/errors.js';
import { ClusterConnection, type ConnectionEvent } from './cluster-connection.js';
import { parseCommand } from './command-parser.js';
import { clusterPollIntervalMs, eventsKeptMax, jobsKeptMax, noticesKeptMax, outputBlocksKeptMax, spinnerIntervalMs } from './constants.js';
import type { ReplEventSource } from './event-source.js';
import { createStreamingEventSource } from './event-stream-source.js';
import { FollowManager } from './follow-manager.js';
import type { KeyInput } from './line-editor.js';
import { LineEditor } from './line-editor.js';
import { parseJobRow } from './parse-views.js';
import { runCommand, type CommandContext } from './run-command.js';
import { createStore, keepLast, type Store } from './store.js';
import type { JobRow, Notice, OutputBody, ReplEvent, ReplState } from './types.js';

/** Where the session attaches first, and its timings (tests shorten them). */
export interface ReplSessionInit {
  /** The API of any node (`--api`). */
  url: string;
  token?: string;
  /** The view's clock; tests may pin it. */
  now?: () => number;
  pollIntervalMs?: number;
  pollTimeoutMs?: number;
  resumeDelayMs?: number;
  /** Where events come from; by default the cluster's event stream, or the polls' differences where a node has none. */
  events?: ReplEventSource;
  /** Reads a pipeline file for `submit`; by default from the disk, relative to the current folder. */
  readFile?: (path: string) => Promise<{ text: string; name: string } | null>;
}

/** The REPL without a terminal: a store to render, lines and keys in. */
export interface ReplSession {
  readonly store: Store<ReplState>;
  readonly connection: ClusterConnection;
  /** Starts polling the cluster (the first poll at once). */
  start(): void;
  /** Stops polling and every follow. */
  stop(): Promise<void>;
  /** Runs one command line and adds its answer to the transcript. */
  run(line: string): Promise<void>;
  /** A key at the prompt; Enter runs the line. Resolves when that command is done. */
  key(k: KeyInput): Promise<void>;
  /** Polls once now (the loop polls by itself; tests and `jobs` use this). */
  poll(): Promise<void>;
}

/** The state before the first poll. */
export function initialReplState(url: string, now: number): ReplState {
  return {
    header: { cluster: null, attachedUrl: url.replace(/\/+$/, ''), attachedName: null, leader: null, term: 0, nodes: [], connection: 'connecting', notices: [] },
    jobs: [],
    follows: [],
    log: [],
    events: [],
    output: [],
    input: { text: '', cursor: 0, candidates: [] },
    busy: null,
    now,
    quit: false,
  };
}

/** Creates the REPL's client layer: connection, polling, follows, commands, prompt. */
export function createReplSession(init: ReplSessionInit): ReplSession {
  const now = init.now ?? Date.now;
  const connection = new ClusterConnection({ url: init.url, ...(init.token === undefined ? {} : { token: init.token }), ...(init.pollTimeoutMs === undefined ? {} : { pollTimeoutMs: init.pollTimeoutMs }) });
  const store = createStore(initialReplState(connection.url, now()));
  const follows = new FollowManager({ connection, store, now, ...(init.resumeDelayMs === undefined ? {} : { resumeDelayMs: init.resumeDelayMs }) });
  const events = init.events ?? createStreamingEventSource({
    connection,
    now,
    onError: (err) => store.update((s) => withNotice(s, { at: now(), text: `event stream failed: ${messageOf(err)}`, tone: 'bad' })),
  });
  const editor = new LineEditor();
  const submitted = new Map<string, SubmitRequest>();
  let outputId = 0;
  let pollTimer: NodeJS.Timeout | null = null;
  let spinTimer: NodeJS.Timeout | null = null;
  let stopEvents: (() => void) | null = null;
  let stopped = false;
  let polling: Promise<void> | null = null;

  const withEvent = (s: ReplState, e: ReplEvent): ReplState => ({ ...s, events: keepLast([...s.events, e], eventsKeptMax) });
  const withNotice = (s: ReplState, n: Notice): ReplState => ({ ...s, header: { ...s.header, notices: keepLast([...s.header.notices, n], noticesKeptMax) } });
  const addEvent = (e: ReplEvent): void => store.update((s) => withEvent(s, e));
  const addOutput = (command: string, body: OutputBody): void => {
    store.update((s) => ({ ...s, output: keepLast([...s.output, { ...body, id: ++outputId, at: now(), command }], outputBlocksKeptMax) }));
  };
  const setJobs = (jobs: JobRow[]): void => store.update((s) => ({ ...s, jobs: keepLast(jobs, jobsKeptMax) }));

  const unsubscribe = connection.onEvent((e: ConnectionEvent) => {
    if (e.kind === 'state') {
      const lost: Notice = { at: now(), text: 'no cluster member answers; retrying', tone: 'bad' };
      store.update((s) => {
        const next = { ...s, header: { ...s.header, connection: e.state } };
        return e.state === 'lost' ? withNotice(next, lost) : next;
      });
    } else if (e.kind === 'attached') {
      const who = e.name ?? e.url;
      const why = e.reason === 'leader' ? 'the leader' : `${e.previousName ?? e.previousUrl} stopped answering`;
      const text = `reattached to ${who} (${why})`;
      // One update, so a view never shows the new node without saying why it moved.
      store.update((s) => withEvent(withNotice({ ...s, header: { ...s.header, attachedUrl: e.url, attachedName: e.name } }, { at: now(), text, tone: 'warn' }), { at: now(), kind: 'reattached', text, tone: 'warn' }));
    } else {
      store.update((s) => ({
        ...s,
        header: { ...s.header, cluster: e.info.cluster, leader: e.info.leader, term: e.info.term, nodes: e.info.nodes, attachedName: connection.name },
      }));
    }
  });

  const pollOnce = async (): Promise<void> => {
    try {
      const cluster = await connection.refresh();
      const jobs = keepLast((await connection.call((c) => c.jobs(), { kind: 'poll' })).map(parseJobRow), jobsKeptMax);
      setJobs(jobs);
      events.observe({ cluster, jobs });
    } catch (err) {
      // An unreachable cluster is shown by the connection state; anything else (a node that
      // answers garbage) is said in the header. Either way the next poll tries again.
      if (!(err instanceof CairnError && err.code === 'UNREACHABLE')) {
        store.update((s) => withNotice(s, { at: now(), text: `poll failed: ${messageOf(err)}`, tone: 'bad' }));
      }
    }
  };

  const poll = (): Promise<void> => {
    polling ??= pollOnce().finally(() => { polling = null; });
    return polling;
  };

  const loop = (): void => {
    if (stopped) return;
    void poll().then(() => {
      if (!stopped) pollTimer = setTimeout(loop, init.pollIntervalMs ?? clusterPollIntervalMs);
    });
  };

  const ctx: CommandContext = {
    connection,
    follow: (job, live) => follows.follow(job, live),
    setJobs,
    readFile: init.readFile ?? readPipelineFile,
    submitted,
    quit: () => store.update((s) => ({ ...s, quit: true })),
  };

  const run = async (line: string): Promise<void> => {
    const parsed = parseCommand(line);
    if (parsed.ok === 'empty') return;
    if (parsed.ok === false) {
      addOutput(line, { kind: 'error', code: 'USAGE', message: parsed.message });
      return;
    }
    store.update((s) => ({ ...s, busy: line }));
    try {
      addOutput(line, await runCommand(parsed.command, ctx));
    } catch (err) {
      // Not an operating error (those come back as answers): a bug or a garbled answer. Shown, not swallowed.
      addOutput(line, { kind: 'error', code: 'INTERNAL', message: messageOf(err) });
    } finally {
      store.update((s) => ({ ...s, busy: null }));
    }
  };

  const syncInput = (): void => store.update((s) => ({ ...s, input: editor.view() }));

  return {
    store,
    connection,
    start() {
      stopEvents = events.start(addEvent);
      loop();
      // The view's clock moves only while a step runs: an idle REPL does not redraw.
      spinTimer = setInterval(() => {
        if (store.get().follows.some((f) => f.steps.some((st) => st.state === 'running'))) store.update((s) => ({ ...s, now: now() }));
      }, spinnerIntervalMs);
    },
    async stop() {
      stopped = true;
      if (pollTimer !== null) clearTimeout(pollTimer);
      if (spinTimer !== null) clearInterval(spinTimer);
      stopEvents?.();
      unsubscribe();
      await follows.stop();
      await polling;
    },
    run,
    async key(k) {
      if (k.kind === 'eof' || k.kind === 'interrupt') {
        if (k.kind === 'interrupt' && editor.view().text !== '') {
          editor.key({ kind: 'kill-line' }, sources());
          syncInput();
          return;
        }
        ctx.quit();
        return;
      }
      if (k.kind === 'clear') {
        store.update((s) => ({ ...s, output: [] }));
        return;
      }
      const line = editor.key(k, sources());
      syncInput();
      if (line !== null) await run(line);
    },
    poll,
  };

  function sources(): { jobs: string[]; nodes: string[] } {
    const s = store.get();
    return { jobs: s.jobs.map((j) => j.id), nodes: s.header.nodes.map((n) => n.name) };
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A pipeline file, or null when the word is not a file (then it names a registered pipeline). */
async function readPipelineFile(path: string): Promise<{ text: string; name: string } | null> {
  try {
    if (!(await stat(path)).isFile()) return null;
  } catch {
    return null;
  }
  return { text: await readFile(path, 'utf8'), name: basename(path) };
}
