import { EventCommandScanner, decodeRangeReply, encodeRangeRequest, rangeReplyRawBytesMax, type FindBytes, type LogChunk, type LogEnd } from '../logs/index.js';
import type { Network } from '../net/index.js';
import { CairnError } from '../util/errors.js';
import { logOpenWaitMs, logRangeProtocol, repairTimeoutMs, retentionSweepMs } from './constants.js';
import { EventBus } from './event-bus.js';
import type { FollowTiming } from './follow-session.js';
import { LogFollower } from './follower.js';
import { LogStore } from './log-store.js';
import type { LogWriter } from './log-writer.js';
import { LogPublisher } from './publisher.js';
import { serveLogRanges } from './range-service.js';
import { defaultRetention, sweepLogs, type RetentionPolicy, type SweepReport } from './retention.js';
import { zstdDecompress } from './zstd.js';

export interface LogServiceInit {
  network: Network;
  /** The logs directory (`<data-dir>/logs`). */
  root: string;
  /** Wall clock, ms since the epoch; default Date.now. */
  now?: () => number;
  retention?: Partial<RetentionPolicy>;
  /** Period of the retention sweep once started; null for none (the caller sweeps). Default retentionSweepMs. */
  sweepEveryMs?: number | null;
  timing?: Partial<FollowTiming>;
  logsTopic?: string;
  eventsTopic?: string;
}

export interface AttemptLogOptions {
  /** The executor writes the file (its `logFile` = `log.file`, `logFd` = `log.writer.fd`); see LogWriterInit.external. */
  external?: boolean;
  /** Publish `::cairn-event name::data` lines as custom events (default true). */
  customEvents?: boolean;
}

/** Buffer's native search, for the `::cairn-event` scanner that reads every byte a job prints. */
const nativeFind: FindBytes = (haystack, needle, from) =>
  (Buffer.isBuffer(haystack) ? haystack : Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength)).indexOf(needle, from);

/** The owner's handle on one attempt's log. */
export interface AttemptLog {
  /** `logs/<job>/<attempt>.log`. */
  readonly file: string;
  readonly writer: LogWriter;
  /**
   * For JobEvents.onOutput: appends (masked) bytes, gossips them, publishes custom events. A
   * promise only when the job must wait (see LogWriter.append).
   */
  onOutput(bytes: Uint8Array): Promise<void> | undefined;
  /** After the job: the last chunk, the durable files and the end marker (with its digest), gossiped. */
  end(): Promise<LogEnd>;
}

export interface ServiceFollowOptions {
  fromSeq?: number;
  /** The owner's peer id (the attempt's node), when known. */
  owner?: string;
  /** Wait for more until the end (default true); false returns what exists now. */
  follow?: boolean;
  signal?: AbortSignal;
}

/**
 * The log subsystem of a node, wired over its network: the store of this node's logs, the
 * gossip publisher, the `log-range` server, the follower of other nodes' logs, the event bus,
 * and retention. The daemon creates one per node.
 */
export class LogService {
  readonly store: LogStore;
  readonly publisher: LogPublisher;
  readonly follower: LogFollower;
  readonly events: EventBus;
  readonly #network: Network;
  readonly #retention: RetentionPolicy;
  readonly #sweepEveryMs: number | null;
  readonly #now: () => number;
  #sweepTimer: NodeJS.Timeout | undefined;
  #sweeping: Promise<SweepReport> | undefined;

  constructor(init: LogServiceInit) {
    this.#network = init.network;
    this.#now = init.now ?? Date.now;
    this.store = new LogStore({ root: init.root, now: this.#now });
    this.publisher = new LogPublisher({ network: init.network, ...(init.logsTopic === undefined ? {} : { topic: init.logsTopic }) });
    this.follower = new LogFollower({
      network: init.network,
      ...(init.logsTopic === undefined ? {} : { topic: init.logsTopic }),
      ...(init.timing === undefined ? {} : { timing: init.timing }),
    });
    this.events = new EventBus({ network: init.network, ...(init.eventsTopic === undefined ? {} : { topic: init.eventsTopic }) });
    this.#retention = { ...defaultRetention, ...init.retention };
    this.#sweepEveryMs = init.sweepEveryMs === undefined ? retentionSweepMs : init.sweepEveryMs;
  }

  /** Serves `log-range`, subscribes to the log topic, starts the retention timer. */
  async start(): Promise<void> {
    await serveLogRanges(this.#network, this.store);
    this.follower.start();
    if (this.#sweepEveryMs !== null) {
      this.#sweepTimer = setInterval(() => void this.sweep().catch(() => undefined), this.#sweepEveryMs);
      this.#sweepTimer.unref();
    }
  }

  /** Ends follows in progress (UNREACHABLE, so readers resume elsewhere) and stops the timer. */
  async stop(): Promise<void> {
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    this.follower.stop();
    await this.#sweeping?.catch(() => undefined);
  }

  /** Starts the log of an attempt this node runs (its files are made before this returns: see LogWriter.open). */
  async open(job: string, attempt: number, opts: AttemptLogOptions = {}): Promise<AttemptLog> {
    const writer = await this.store.open(job, attempt, { sinks: [this.publisher], ...(opts.external === undefined ? {} : { external: opts.external }) });
    const scanner = opts.customEvents === false ? null : new EventCommandScanner(nativeFind);
    const publishCustom = (cmds: Array<{ name: string; data: string }>): void => {
      for (const c of cmds) {
        // Best effort, like all events: an oversized event is dropped, the log keeps the line.
        this.events.publish({ kind: 'custom', job, attempt, name: c.name, data: c.data, timeMs: Math.floor(this.#now()) }).catch(() => undefined);
      }
    };
    return {
      file: writer.file,
      writer,
      onOutput: (bytes) => {
        if (scanner !== null) publishCustom(scanner.push(bytes));
        return writer.append(bytes);
      },
      end: () => {
        if (scanner !== null) publishCustom(scanner.flush());
        return writer.end();
      },
    };
  }

  /**
   * An attempt's chunks from `fromSeq` on, wherever this node is: from its own files when it
   * has the log (it runs or ran the attempt), else from the owner, over gossip with gap repair.
   * This is what the API's `logs()` serves.
   */
  async *follow(job: string, attempt: number, opts: ServiceFollowOptions = {}): AsyncGenerator<LogChunk> {
    const fromSeq = opts.fromSeq ?? 0;
    const self = opts.owner === this.#network.peerId;
    const local = opts.owner === undefined || self;
    const has = self && opts.follow !== false ? await this.store.waitFor(job, attempt, logOpenWaitMs, opts.signal) : await this.store.has(job, attempt);
    if (local && has) {
      yield* this.store.follow(job, attempt, { fromSeq, ...(opts.follow === undefined ? {} : { follow: opts.follow }), ...(opts.signal === undefined ? {} : { signal: opts.signal }) });
      return;
    }
    if (self) {
      throw new CairnError('NOT_FOUND', `no log for ${job} attempt ${attempt} on this node (pruned, or never started here)`, { job, attempt });
    }
    if (opts.follow === false) {
      if (opts.owner === undefined) throw new CairnError('NOT_FOUND', `no log for ${job} attempt ${attempt} on this node, and no owner given`, { job, attempt });
      yield* this.#fetch(opts.owner, job, attempt, fromSeq, opts.signal);
      return;
    }
    yield* this.follower.follow(job, attempt, {
      fromSeq,
      ...(opts.owner === undefined ? {} : { owner: opts.owner }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
  }

  /** One retention pass now (also run by the timer); passes never overlap. */
  sweep(nowMs: number = this.#now()): Promise<SweepReport> {
    const run = (this.#sweeping ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => sweepLogs(this.store, this.#retention, nowMs));
    this.#sweeping = run;
    return run;
  }

  /** What the owner has now, without waiting for more. */
  async *#fetch(owner: string, job: string, attempt: number, fromSeq: number, signal: AbortSignal | undefined): AsyncGenerator<LogChunk> {
    let next = fromSeq;
    for (;;) {
      if (signal?.aborted) return;
      const req = encodeRangeRequest({ job, attempt, fromSeq: next, toSeq: Number.MAX_SAFE_INTEGER, rawBytesMax: rangeReplyRawBytesMax });
      const reply = decodeRangeReply(await this.#network.request(owner, logRangeProtocol, req, { timeoutMs: repairTimeoutMs }), zstdDecompress);
      if (reply.chunks.length === 0) return;
      for (const c of reply.chunks) {
        if (c.seq !== next) throw new CairnError('INTERNAL', `owner ${owner} sent chunk ${c.seq}, expected ${next}`, { job, attempt });
        yield c;
        next++;
      }
    }
  }
}
