/** What the scheduler sees of a node: a snapshot, so it stays a pure function of its inputs. */
import type { NodeLabels } from './node-labels.js';

export interface NodeView {
  name: string;
  labels: NodeLabels;
  /** The node's `--slots`: how many jobs it runs at once. */
  slots: number;
  /** Attempts placed on it or running there now. */
  running: number;
  /** False once its lease expired (NodeDown), until it heartbeats again. */
  up: boolean;
  /** A draining node (SIGTERM) finishes what it runs but takes no new jobs. */
  draining: boolean;
}

/** True when the node may take one more job now. */
export function hasFreeSlot(n: NodeView): boolean {
  return n.up && !n.draining && n.running < n.slots;
}
