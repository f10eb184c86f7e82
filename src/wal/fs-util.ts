/**
 * Small file-system helpers for the write-ahead log: durable directory entries and full
 * writes. Kept apart so the rest reads as log logic.
 */
export { syncDir, writeAll } from '../util/fs-durable.js';

/** Zero-padded decimal, so that names sort in numeric order. */
export function pad(n: number, digits: number): string {
  return String(n).padStart(digits, '0');
}
