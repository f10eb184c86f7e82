import { encodeCommand, type Command, type CommandResult } from '../src/cluster/index.js';
import { CairnError } from '../src/util/errors.js';
import type { Network } from '../src/net/index.js';
import { decodeEnvelope, encodeEnvelope } from './entry-envelope.js';
import type { RaftHost } from './raft-host.js';
import type { StateHost } from './state-host.js';
import { trace } from '../src/util/trace.js';

/** One try waits this long for the command to be applied before proposing it again. */
const proposeTryMs = 3000;
/** A proposal gives up after this long (no leader for that long is an outage: exit 3). */
export const proposeDeadlineMs = 15_000;
const noLeaderRetryMs = 100;
const rpcTimeoutMs = 5000;
export const proposeRpc = 'propose';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Proposes cluster commands and waits until they are applied on this node. A follower's core
 * forwards proposals to the leader itself; a node that is not yet a member (joining) or sees
 * no leader asks a connected peer over RPC to propose on its behalf.
 */
export class Proposer {
  private seq = 0;
  constructor(
    private readonly prefix: string,
    private readonly raft: RaftHost,
    private readonly stateHost: StateHost,
    private readonly net: Network,
  ) {}

  /** Serves other nodes' proposals (the RPC side of the above). */
  async serve(): Promise<void> {
    await this.net.handle(proposeRpc, async (_from, bytes) => {
      const env = decodeEnvelope(bytes);
      if (env === null || env.requestId === null) throw new CairnError('INVALID_INPUT', 'not a proposal envelope');
      const r = this.raft.propose(bytes);
      if (r.kind === 'dropped') return encoder.encode(JSON.stringify({ ok: false, code: 'NO_LEADER', message: `proposal dropped: ${r.reason}`, data: {} }));
      const res = await this.stateHost.waitFor(env.requestId, proposeTryMs);
      return encoder.encode(JSON.stringify(res));
    });
  }

  /** Proposes `cmd` and resolves with its result once applied; NO_LEADER after the deadline. */
  async propose(cmd: Command, deadlineMs = proposeDeadlineMs): Promise<CommandResult> {
    const requestId = `${this.prefix}.${++this.seq}`;
    trace('propose', { kind: cmd.kind, requestId });
    const bytes = encodeEnvelope({ timeMs: Date.now(), requestId, command: encodeCommand(cmd) });
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline) {
      const wait = this.stateHost.waitFor(requestId, Math.min(proposeTryMs, Math.max(1, deadline - Date.now())));
      const r = this.raft.propose(bytes);
      if (r.kind !== 'dropped') {
        // A proposal handed to a leader that then dies or steps down is lost with it (a crashed
        // leader is only noticed after it was forwarded there): propose again as soon as the
        // leader changes, not after the whole try. A second copy is harmless: the first applied
        // answers, and the commands are idempotent or refused the second time.
        const changed = this.leaderChange(Math.max(1, deadline - Date.now()));
        const res = await Promise.race([wait, changed.promise]);
        changed.cancel();
        if (res === 'changed' || res === 'timeout') {
          this.stateHost.cancelWait(requestId);
          continue;
        }
        if (res.ok || res.code !== 'NO_LEADER') return res;
        continue;
      }
      const member = this.raft.isMember();
      if (member) {
        // No leader yet (an election is on): propose the moment one is known.
        const changed = this.leaderChange(noLeaderRetryMs);
        const got = await changed.promise;
        changed.cancel();
        if (got === 'changed') {
          this.stateHost.cancelWait(requestId);
          continue;
        }
      }
      const viaPeer = await this.viaPeer(bytes);
      if (viaPeer !== null && (viaPeer.ok || viaPeer.code !== 'NO_LEADER')) {
        // Applied on the peer: answer once it is applied here too (the same entry reaches this
        // node's log), or a caller that reads its own write back from this node's state (submit
        // answers with the new job's view) finds nothing. Seen in bench (c): a submit during a
        // failover answered 404 for the run it had just created. If this node does not apply it
        // within the try (not a member yet, cut off), the peer's answer stands.
        const local = await wait;
        return local.ok || local.code !== 'NO_LEADER' ? local : viaPeer;
      }
      this.stateHost.cancelWait(requestId);
      if (!member) await new Promise((r2) => setTimeout(r2, noLeaderRetryMs));
    }
    return { ok: false, code: 'NO_LEADER', message: `no leader accepted the command within ${deadlineMs} ms`, data: {} };
  }

  /** Resolves 'changed' at the next leader change, or 'timeout' after `ms`; cancel() releases both. */
  private leaderChange(ms: number): { promise: Promise<'changed' | 'timeout'>; cancel(): void } {
    let unsub = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<'changed' | 'timeout'>((resolve) => {
      unsub = this.raft.onLeaderChange(() => resolve('changed'));
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    return {
      promise,
      cancel: () => {
        unsub();
        clearTimeout(timer);
      },
    };
  }

  private async viaPeer(bytes: Uint8Array): Promise<CommandResult | null> {
    for (const peer of this.net.connectedPeers()) {
      try {
        const res = await this.net.request(peer, proposeRpc, bytes, { timeoutMs: rpcTimeoutMs });
        return JSON.parse(decoder.decode(res)) as CommandResult;
      } catch {
        // Try the next peer.
      }
    }
    return null;
  }
}

/** Turns a refused command into the typed error it stands for. */
export function orThrow(res: CommandResult): Extract<CommandResult, { ok: true }> {
  if (res.ok) return res;
  throw new CairnError(res.code, res.message, res.data as Record<string, unknown>);
}
