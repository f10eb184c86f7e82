import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { CairnError } from '../util/errors.js';
import { peerKeyFileMode } from './constants.js';

/**
 * Loads the node's libp2p identity from `file`, creating it (Ed25519, mode 0600) on first use,
 * so a node keeps its peer id across restarts: Raft knows its members by peer id.
 */
export async function loadOrCreatePeerKey(file: string): Promise<PrivateKey> {
  const existing = await readKeyFile(file);
  if (existing !== undefined) return existing;

  const key = (await generateKeyPair('Ed25519')) as unknown as PrivateKey;
  await mkdir(dirname(file), { recursive: true });
  // Write aside, then link into place: a crash never leaves a half-written key, and two
  // processes racing on a fresh data dir agree on whichever key was linked first.
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, privateKeyToProtobuf(key as unknown as Parameters<typeof privateKeyToProtobuf>[0]), { mode: peerKeyFileMode, flush: true });
  try {
    await link(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(tmp, { force: true });
  }
  const stored = await readKeyFile(file);
  if (stored === undefined) throw new CairnError('STORAGE_CORRUPT', `peer key ${file} vanished while being created`, { file });
  return stored;
}

async function readKeyFile(file: string): Promise<PrivateKey | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    // @libp2p/crypto 5 declares its keys against a newer @libp2p/interface than libp2p 2.x;
    // the objects are the same at run time, only the declaration files differ.
    return privateKeyFromProtobuf(bytes) as unknown as PrivateKey;
  } catch (err) {
    throw new CairnError(
      'STORAGE_CORRUPT',
      `peer key ${file} is not a libp2p private key; move it aside to give this node a new identity`,
      { file },
      { cause: err },
    );
  }
}
