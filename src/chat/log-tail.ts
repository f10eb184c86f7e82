import type { ApiClient } from '../api/client.js';
import { cleanLines } from './text.js';

export interface LogTail {
  /** The last lines (cleaned), oldest first. */
  lines: string[];
  /** False when the read stopped at the byte or time limit before the end of the log. */
  complete: boolean;
  bytes: number;
}

/**
 * The last `linesMax` lines of a job's log. The log stream has no "tail" request, so the log
 * is read from the start and only a ring of lines is kept; the read stops at `bytesMax` or
 * `timeoutMs`, whichever comes first, and says so.
 */
export async function tailLog(client: ApiClient, id: string, opts: { linesMax: number; bytesMax: number; timeoutMs: number }): Promise<LogTail> {
  const ring: string[] = [];
  const decoder = new TextDecoder();
  let partial = '';
  let bytes = 0;
  let complete = true;
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(opts.timeoutMs)]);
  const push = (line: string) => {
    ring.push(line);
    if (ring.length > opts.linesMax) ring.shift();
  };
  try {
    for await (const chunk of client.logs(id, { from: 0, follow: false, signal })) {
      bytes += chunk.data.length;
      const text = partial + decoder.decode(chunk.data, { stream: true });
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      // Only the lines that can still end up in the ring are worth cleaning.
      for (const p of parts.slice(-opts.linesMax)) push(p);
      if (bytes >= opts.bytesMax) {
        complete = false;
        stop.abort();
        break;
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
    complete = false;
  }
  partial += decoder.decode();
  if (partial !== '') push(partial);
  const lines = cleanLines(ring.join('\n')).filter((l) => l.trim() !== '');
  return { lines: lines.slice(-opts.linesMax), complete, bytes };
}
