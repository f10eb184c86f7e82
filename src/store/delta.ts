/**
 * Git's delta format (gitformat-pack(5), "Deltified representation"): a delta turns a base
 * object into a target with copy and insert instructions. The store only writes deltas
 * between two versions of the same tree or file, which differ in one place, so the encoder
 * keeps the common prefix and suffix and inserts the middle: linear time, no hashing, and for
 * a tree that gained one entry about 30 bytes instead of the whole tree.
 */
import { CairnError } from '../util/errors.js';

/** Largest copy one instruction can express (three size bytes). */
const copyBytesMax = 0xffffff;
/** Largest insert one instruction can express (the opcode is the length, 1..127). */
const insertBytesMax = 0x7f;

/** A delta from `base` to `target`. */
export function encodeDelta(base: Uint8Array, target: Uint8Array): Buffer {
  const limit = Math.min(base.length, target.length);
  let prefix = 0;
  while (prefix < limit && base[prefix] === target[prefix]) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && base[base.length - 1 - suffix] === target[target.length - 1 - suffix]) suffix++;
  const middle = target.length - suffix - prefix;
  // Worst case: two sizes, two copies per 16 MiB, one opcode per 127 inserted bytes.
  const out = Buffer.alloc(20 + 8 * (2 + Math.ceil((prefix + suffix) / copyBytesMax)) + middle + Math.ceil(middle / insertBytesMax));
  let pos = pushSize(out, 0, base.length);
  pos = pushSize(out, pos, target.length);
  pos = pushCopy(out, pos, 0, prefix);
  for (let i = prefix; i < prefix + middle; i += insertBytesMax) {
    const n = Math.min(insertBytesMax, prefix + middle - i);
    out[pos++] = n;
    out.set(target.subarray(i, i + n), pos);
    pos += n;
  }
  pos = pushCopy(out, pos, base.length - suffix, suffix);
  return out.subarray(0, pos);
}

/** Applies a delta to its base; a delta that does not fit its base is a corrupt pack. */
export function applyDelta(delta: Uint8Array, base: Uint8Array): Buffer {
  let pos = 0;
  const readSize = (): number => {
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = at(pos++);
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return size;
  };
  const at = (i: number): number => {
    const b = delta[i];
    if (b === undefined) throw bad('the delta is truncated');
    return b;
  };
  if (readSize() !== base.length) throw bad('the delta does not match its base');
  const out = Buffer.alloc(readSize());
  let written = 0;
  while (pos < delta.length) {
    const op = at(pos++);
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      for (let i = 0; i < 4; i++) if (op & (1 << i)) offset += at(pos++) * 2 ** (8 * i);
      for (let i = 0; i < 3; i++) if (op & (1 << (4 + i))) size += at(pos++) * 2 ** (8 * i);
      if (size === 0) size = 0x10000;
      if (offset + size > base.length || written + size > out.length) throw bad('a delta copy runs past its bounds');
      out.set(base.subarray(offset, offset + size), written);
      written += size;
    } else if (op > 0) {
      if (pos + op > delta.length || written + op > out.length) throw bad('a delta insert runs past its bounds');
      out.set(delta.subarray(pos, pos + op), written);
      pos += op;
      written += op;
    } else {
      throw bad('the delta has a reserved opcode');
    }
  }
  if (written !== out.length) throw bad('the delta result has the wrong length');
  return out;
}

function pushSize(out: Buffer, pos: number, n: number): number {
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out[pos++] = byte;
  } while (n > 0);
  return pos;
}

function pushCopy(out: Buffer, pos: number, offset: number, length: number): number {
  for (let done = 0; done < length; done += copyBytesMax) {
    const size = Math.min(copyBytesMax, length - done);
    const at = offset + done;
    const opAt = pos++;
    let op = 0x80;
    for (let i = 0; i < 4; i++) {
      const b = Math.floor(at / 2 ** (8 * i)) & 0xff;
      if (b !== 0) { op |= 1 << i; out[pos++] = b; }
    }
    for (let i = 0; i < 3; i++) {
      const b = (size >>> (8 * i)) & 0xff;
      if (b !== 0) { op |= 1 << (4 + i); out[pos++] = b; }
    }
    out[opAt] = op;
  }
  return pos;
}

function bad(message: string): CairnError {
  return new CairnError('STORAGE_CORRUPT', `corrupt pack: ${message}`);
}
