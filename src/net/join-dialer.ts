import { joinRedialMaxMs, joinRedialMinMs } from './constants.js';
import type { NetworkLogger } from './types.js';

export interface JoinDialerComponents {
  /** Dials an address and resolves with the remote peer id. */
  dial(addr: string): Promise<string>;
  isConnected(peerId: string): boolean;
  selfId: string;
  log: NetworkLogger;
}

interface JoinEntry {
  addr: string;
  /** Learnt from the first successful dial (or from a `/p2p/` suffix). */
  peerId: string | undefined;
  backoffMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  dialling: boolean;
}

/**
 * Keeps this node connected to its `--join` addresses: dials each at start and, whenever it is
 * not connected to that peer, again after a backoff that doubles up to joinRedialMaxMs. A
 * seed that is down when a node starts, or restarts later, is therefore picked up by itself.
 */
export class JoinDialer {
  private readonly components: JoinDialerComponents;
  private readonly entries: JoinEntry[];
  private running = false;

  constructor(components: JoinDialerComponents, addrs: readonly string[]) {
    this.components = components;
    this.entries = addrs
      .map((addr) => ({ addr, peerId: peerIdOf(addr), backoffMs: joinRedialMinMs, timer: undefined, dialling: false }))
      .filter((e) => e.peerId !== components.selfId);
  }

  start(): void {
    this.running = true;
    for (const e of this.entries) void this.attempt(e);
  }

  stop(): void {
    this.running = false;
    for (const e of this.entries) {
      if (e.timer !== undefined) clearTimeout(e.timer);
      e.timer = undefined;
    }
  }

  /** A peer went away: if it is one of ours, redial it soon. */
  peerDisconnected(peerId: string): void {
    for (const e of this.entries) {
      if (e.peerId === peerId) {
        e.backoffMs = joinRedialMinMs;
        this.schedule(e);
      }
    }
  }

  private schedule(e: JoinEntry): void {
    if (!this.running || e.timer !== undefined || e.dialling) return;
    // Jitter spreads out the redials of nodes that lost the same seed at the same moment.
    const delay = e.backoffMs * (0.75 + Math.random() * 0.5);
    e.timer = setTimeout(() => {
      e.timer = undefined;
      void this.attempt(e);
    }, delay);
    e.backoffMs = Math.min(e.backoffMs * 2, joinRedialMaxMs);
  }

  private async attempt(e: JoinEntry): Promise<void> {
    if (!this.running || e.dialling) return;
    if (e.peerId !== undefined && this.components.isConnected(e.peerId)) return;
    e.dialling = true;
    try {
      const peerId = await this.components.dial(e.addr);
      if (peerId === this.components.selfId) {
        // Our own address in a shared join list: nothing to keep connected.
        e.peerId = peerId;
        this.components.log.debug({ addr: e.addr }, 'join address is this node; skipped');
        return;
      }
      e.peerId = peerId;
      e.backoffMs = joinRedialMinMs;
    } catch (err) {
      this.components.log.debug({ addr: e.addr, err: String(err), retryMs: e.backoffMs }, 'join dial failed');
    } finally {
      e.dialling = false;
    }
    // The connection may already have dropped again between dial and here.
    if (e.peerId === undefined || !this.components.isConnected(e.peerId)) this.schedule(e);
  }
}

function peerIdOf(addr: string): string | undefined {
  const m = /\/p2p\/([^/]+)$/.exec(addr);
  return m?.[1];
}
