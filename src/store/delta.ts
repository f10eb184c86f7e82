/**
 * Git's delta format (gitformat-pack(5), "Deltified representation"): a delta turns a base
 * object into a target with copy and insert instructions. The encoder copies the common
 * prefix and suffix, and in between copies each line of the target that the base holds too
 * (by a table of the base's lines, built once per base): linear time, no rolling hash. A tree
 * that gained one entry costs about 30 bytes; a history record or a commit against another
 * one (same keys, other values) costs about 60% of its size, what deflate makes of it, at a
 * fraction of deflate's CPU.
 */
import { CairnError } from '../util/errors.js';

/** Largest copy one instruction can express (three size bytes). */
const copyBytesMax = 0xffffff;
/** Largest insert one instruction can express (the opcode is the length, 1..127). */
const insertBytesMax = 0x7f;
/** Shortest line worth a copy: a copy instruction takes up to eight bytes. */
const lineCopyBytesMin = 8;
/** Bytes of a copy instruction at most: opcode, four offset bytes, three size bytes. */
const copyOpBytesMax = 8;
const newline = 0x0a;

/** Each base's lines (text to offset of its first occurrence), built on its first use as a base. */
const lineTables = new WeakMap<Uint8Array, Map<string, number>>();

function linesOf(base: Uint8Array): Map<string, number> {
  let table = lineTables.get(base);
  if (table !== undefined) return table;
  table = new Map();
  const buf = Buffer.from(base.buffer, base.byteOffset, base.byteLength);
  for (let at = 0; at < buf.length;) {
    const nl = buf.indexOf(newline, at);
    const end = nl < 0 ? buf.length : nl + 1;
    const line = buf.toString('latin1', at, end);
    if (end - at >= lineCopyBytesMin && !table.has(line)) table.set(line, at);
    at = end;
  }
  lineTables.set(base, table);
  return table;
}

/**
 * A delta from `base` to `target`; with `byLines`, lines of text in between the common prefix
 * and suffix are copied from the base too (for trees, whose bytes are mostly SHA-1, no).
 */
export function encodeDelta(base: Uint8Array, target: Uint8Array, byLines = true): Buffer {
  const limit = Math.min(base.length, target.length);
  let prefix = 0;
  while (prefix < limit && base[prefix] === target[prefix]) prefix++;
  let suffix = 0;
  while (suffix < limit - prefix && base[base.length - 1 - suffix] === target[target.length - 1 - suffix]) suffix++;
  const middleEnd = target.length - suffix;
  const middle = middleEnd - prefix;
  // Worst case: two sizes, the prefix and suffix copies, the middle inserted with one opcode per
  // 127 bytes, and a copy instruction for at most every lineCopyBytesMin bytes of it.
  const out = Buffer.alloc(20 + copyOpBytesMax * (2 + Math.ceil((prefix + suffix) / copyBytesMax)) + 2 * middle + Math.ceil(middle / insertBytesMax));
  let pos = pushSize(out, 0, base.length);
  pos = pushSize(out, pos, target.length);
  pos = pushCopy(out, pos, 0, prefix);
  const text = Buffer.from(target.buffer, target.byteOffset, target.byteLength);
  const lines = byLines && middle >= lineCopyBytesMin ? linesOf(base) : null;
  let insertFrom = prefix;
  let copyAt = -1;
  let copyLength = 0;
  for (let at = prefix; at < middleEnd;) {
    const nl = text.indexOf(newline, at);
    const end = nl < 0 || nl >= middleEnd ? middleEnd : nl + 1;
    const from = lines !== null && end - at >= lineCopyBytesMin ? lines.get(text.toString('latin1', at, end)) : undefined;
    if (from !== undefined) {
      pos = pushInsert(out, pos, text, insertFrom, at);
      if (copyLength > 0 && copyAt + copyLength === from) {
        copyLength += end - at;
      } else {
        pos = pushCopy(out, pos, copyAt, copyLength);
        copyAt = from;
        copyLength = end - at;
      }
      insertFrom = end;
    } else if (copyLength > 0) {
      pos = pushCopy(out, pos, copyAt, copyLength);
      copyLength = 0;
    }
    at = end;
  }
  pos = pushCopy(out, pos, copyAt, copyLength);
  pos = pushInsert(out, pos, text, insertFrom, middleEnd);
  pos = pushCopy(out, pos, base.length - suffix, suffix);
  return out.subarray(0, pos);
}

/** Inserts target[from, to) in runs of at most insertBytesMax. */
function pushInsert(out: Buffer, pos: number, target: Buffer, from: number, to: number): number {
  for (let i = from; i < to; i += insertBytesMax) {
    const n = Math.min(insertBytesMax, to - i);
    out[pos++] = n;
    target.copy(out, pos, i, i + n);
    pos += n;
  }
  return pos;
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
