import type { ApiClient } from '../api/client.js';

/** Reconnect attempts when the node we follow from goes away mid-stream. */
const followReconnectsMax = 20;
const followReconnectDelayMs = 250;

/**
 * Writes a job's log to stdout as it arrives, resuming from the next sequence after a dropped
 * connection, so the output has no gap and no duplicate.
 */
export async function followLogs(client: ApiClient, id: string, opts: { json: boolean; follow?: boolean }): Promise<void> {
  let next = 0;
  let failures = 0;
  for (;;) {
    try {
      for await (const chunk of client.logs(id, { from: next, follow: opts.follow ?? true })) {
        if (chunk.seq < next) continue;
        next = chunk.seq + 1;
        failures = 0;
        if (opts.json) process.stdout.write(JSON.stringify({ seq: chunk.seq, data: Buffer.from(chunk.data).toString('base64') }) + '\n');
        else process.stdout.write(chunk.data);
      }
      return;
    } catch (err) {
      if (++failures > followReconnectsMax) throw err;
      await new Promise((r) => setTimeout(r, followReconnectDelayMs));
    }
  }
}
