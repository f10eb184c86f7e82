import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CairnError } from '../util/errors.js';

/**
 * The cluster key is a libp2p private-network pre-shared key in the standard `swarm.key`
 * format (the one go-ipfs and @libp2p/pnet read): a node whose key differs cannot complete
 * even the first handshake with a member.
 */

const header = '/key/swarm/psk/1.0.0/';
const codec = '/base16/';
/** The key is 32 random bytes: XSalsa20's key size. */
const keyBytes = 32;
const hexPattern = new RegExp(`^[0-9a-fA-F]{${keyBytes * 2}}$`);

/** A fresh cluster key, as the bytes of a `swarm.key` file. */
export function generateClusterKey(): Uint8Array {
  return new TextEncoder().encode(`${header}\n${codec}\n${randomBytes(keyBytes).toString('hex')}`);
}

/**
 * Checks a `swarm.key` file's contents and returns them in canonical form (lower-case hex,
 * `\n` line ends, no trailing newline). `source` names the file in the error.
 */
export function parseClusterKey(bytes: Uint8Array, source = 'cluster key'): Uint8Array {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const lines = text.split(/\r\n|\r|\n/);
  // Trailing blank lines are what editors and `echo` leave behind; anything else is malformed.
  while (lines.length > 3 && lines[lines.length - 1]?.trim() === '') lines.pop();
  const [tag, enc, hex] = lines.map((l) => l.trim());
  const fail = (why: string): never => {
    throw new CairnError(
      'INVALID_INPUT',
      `${source} is not a valid cluster key: ${why} (expected "${header}", "${codec}" and ${keyBytes * 2} hex digits on three lines; create one with \`cairn keygen --out FILE\`)`,
      { source, reason: why },
    );
  };
  if (lines.length !== 3) fail(`expected 3 lines, found ${lines.length}`);
  if (tag !== header) fail(`first line must be "${header}"`);
  if (enc !== codec) fail(`second line must be "${codec}"`);
  if (hex === undefined || !hexPattern.test(hex)) fail(`third line must be ${keyBytes * 2} hex digits`);
  return new TextEncoder().encode(`${header}\n${codec}\n${(hex ?? '').toLowerCase()}`);
}

/** Reads and checks a cluster key file; a missing or malformed file is a CairnError (INVALID_INPUT). */
export async function readClusterKey(file: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CairnError('INVALID_INPUT', `cannot read cluster key ${file}: ${code ?? String(err)}`, { file, errno: code }, { cause: err });
  }
  return parseClusterKey(bytes, file);
}
