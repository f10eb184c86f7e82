import { CairnError } from '../util/errors.js';

/**
 * The seek table of a log compressed at rest (`<attempt>.log.zst`), in zstd's seekable format
 * (contrib/seekable_format): the file is a run of independent zstd frames followed by one
 * skippable frame listing each frame's compressed and raw size. Any zstd tool decompresses the
 * file as usual (skippable frames are skipped); cairn reads the table from the end and
 * decompresses only the frames a byte range needs.
 *
 *   skippable frame := 0x184D2A5E u32 | payloadBytes u32 | entries | count u32 | descriptor u8 (0) | 0x8F92EAB1 u32
 *   entry           := packedBytes u32 | rawBytes u32
 */
export interface SeekFrame {
  packedBytes: number;
  rawBytes: number;
}

/** A frame located in both the compressed file and the raw log. */
export interface LocatedFrame extends SeekFrame {
  packedOffset: number;
  rawOffset: number;
}

const skippableMagic = 0x184d2a5e;
const seekableMagic = 0x8f92eab1;
const entryBytes = 8;
/** count u32 + descriptor u8 + magic u32. */
export const seekFooterBytes = 9;
const frameHeaderBytes = 8;

export function encodeSeekTable(frames: readonly SeekFrame[]): Uint8Array {
  const payload = frames.length * entryBytes + seekFooterBytes;
  const out = new Uint8Array(frameHeaderBytes + payload);
  const v = new DataView(out.buffer);
  v.setUint32(0, skippableMagic, true);
  v.setUint32(4, payload, true);
  frames.forEach((f, i) => {
    v.setUint32(frameHeaderBytes + i * entryBytes, f.packedBytes, true);
    v.setUint32(frameHeaderBytes + i * entryBytes + 4, f.rawBytes, true);
  });
  const foot = frameHeaderBytes + frames.length * entryBytes;
  v.setUint32(foot, frames.length, true);
  v.setUint8(foot + 4, 0);
  v.setUint32(foot + 5, seekableMagic, true);
  return out;
}

/** From the file's last `seekFooterBytes`, how many bytes the whole seek-table frame takes. */
export function seekTableBytes(footer: Uint8Array): number {
  if (footer.byteLength !== seekFooterBytes) throw corrupt('short footer');
  const v = new DataView(footer.buffer, footer.byteOffset, footer.byteLength);
  if (v.getUint32(5, true) !== seekableMagic) throw corrupt('no seek table');
  if (v.getUint8(4) !== 0) throw corrupt('unsupported seek table descriptor');
  return frameHeaderBytes + v.getUint32(0, true) * entryBytes + seekFooterBytes;
}

/** Decodes the whole seek-table frame (the file's last `seekTableBytes(footer)` bytes). */
export function decodeSeekTable(bytes: Uint8Array): LocatedFrame[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < frameHeaderBytes + seekFooterBytes || v.getUint32(0, true) !== skippableMagic) throw corrupt('bad seek table frame');
  if (v.getUint32(4, true) !== bytes.byteLength - frameHeaderBytes) throw corrupt('seek table size mismatch');
  const count = (bytes.byteLength - frameHeaderBytes - seekFooterBytes) / entryBytes;
  if (!Number.isInteger(count) || v.getUint32(bytes.byteLength - seekFooterBytes, true) !== count) throw corrupt('seek table count mismatch');
  const out: LocatedFrame[] = [];
  let packedOffset = 0;
  let rawOffset = 0;
  for (let i = 0; i < count; i++) {
    const packedBytes = v.getUint32(frameHeaderBytes + i * entryBytes, true);
    const rawBytes = v.getUint32(frameHeaderBytes + i * entryBytes + 4, true);
    out.push({ packedBytes, rawBytes, packedOffset, rawOffset });
    packedOffset += packedBytes;
    rawOffset += rawBytes;
  }
  return out;
}

/** The frames holding raw bytes [from, to). */
export function framesFor(frames: readonly LocatedFrame[], from: number, to: number): LocatedFrame[] {
  return frames.filter((f) => f.rawOffset < to && f.rawOffset + f.rawBytes > from);
}

function corrupt(why: string): CairnError {
  return new CairnError('STORAGE_CORRUPT', `compressed log: ${why}`, {});
}
