import type { Command } from 'commander';
import { ApiClient } from '../api/client.js';
import { globalOptions } from './context.js';

/** The API client for a command, from `--api` / CAIRN_API and CAIRN_API_TOKEN. */
export function clientFor(cmd: Command): ApiClient {
  const g = globalOptions(cmd);
  const token = process.env.CAIRN_API_TOKEN;
  return new ApiClient({ url: g.api, ...(token ? { token } : {}) });
}

/** Prints one JSON document (for --json). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Left-aligned columns; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
