/**
 * Rebuilds the Raft core's storage from what the write-ahead log recovered, in the order
 * MemoryStorage expects: the snapshot (which sets the log's start and the configuration),
 * then the entries after it, then the hard state. The node is then created over it with
 * `createRaft({ storage, applied: snapshot index, ... })`.
 */
import { MemoryStorage } from '../raft/index.js';
import type { WalRecovered } from './open-wal.js';

export function restoreStorage(recovered: WalRecovered): MemoryStorage {
  const storage = new MemoryStorage();
  if (recovered.snapshot !== null) storage.applySnapshot(recovered.snapshot);
  storage.append(recovered.entries);
  storage.setHardState(recovered.hardState);
  return storage;
}
