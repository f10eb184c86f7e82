/**
 * A fake cluster in its own process, for driving `cairn repl` end to end. Prints one JSON line
 * `{ "urls": { name: url } }` when it listens, then obeys lines on stdin:
 *   job ID NODE         add a running job
 *   log ID TEXT         append TEXT and a newline to a job's log
 *   end ID STATE        end a job
 *   kill NAME           kill a node (drops its connections, closes its port, moves the lead)
 *   quit                stop everything and exit
 * Every command answers "ok <command>" once done, so the driver waits for that, not for time.
 */
import { createInterface } from 'node:readline';
import { createFakeCluster } from './fake-cluster.js';

const names = (process.argv[2] ?? 'a,b').split(',');
const cluster = createFakeCluster(names, { clusterName: 'e2e' });
await cluster.start();
process.stdout.write(JSON.stringify({ urls: Object.fromEntries(cluster.nodes.map((n) => [n.name, n.url])) }) + '\n');

for await (const line of createInterface({ input: process.stdin, terminal: false })) {
  const [cmd, id = '', ...rest] = line.split(' ');
  if (cmd === 'job') cluster.addJob({ id, node: rest[0] ?? names[0]!, name: 'build' });
  else if (cmd === 'log') cluster.appendLog(id, `${rest.join(' ')}\n`);
  else if (cmd === 'end') cluster.endJob(id, rest[0] ?? 'succeeded');
  else if (cmd === 'kill') await cluster.kill(id);
  else if (cmd === 'quit') break;
  process.stdout.write(`ok ${line}\n`);
}
await cluster.stop();
process.exit(0);
