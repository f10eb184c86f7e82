#!/usr/bin/env node
// `npm start`: brings up a three-node cairn cluster on loopback (fresh data dirs, a fresh
// cluster key), runs the sample pipeline on it, shows which node ran each job, and stops the
// nodes again. `npm start -- --keep` leaves the cluster running and says how to stop it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, join as join_ } from 'node:path';

const keep = process.argv.includes('--keep');
const cli = join(import.meta.dirname, '..', 'dist', 'cairn.js');
const root = mkdtempSync(join_(tmpdir(), 'cairn-demo-'));
const basePort = 7070 + Math.floor(Math.random() * 800);
const nodes = [
  { name: 'alpha', labels: 'maven,zone=a' },
  { name: 'beta', labels: 'cargo,zone=b' },
  { name: 'gamma', labels: 'npm,zone=c' },
].map((n, i) => ({ ...n, dir: join(root, n.name), api: `127.0.0.1:${basePort + i}` }));

const cairn = (args, opts = {}) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8', ...opts });
const say = (s) => process.stdout.write(`\n\x1b[1m== ${s}\x1b[0m\n`);

async function stopAll() {
  const { spawn } = await import('node:child_process');
  await Promise.all(nodes.map((n) => new Promise((resolve) => {
    spawn(process.execPath, [cli, 'node', 'stop', '--data-dir', n.dir], { stdio: 'ignore' }).on('exit', resolve).on('error', resolve);
  })));
}

try {
  say(`local cluster: three nodes under ${root}`);
  const [first, ...rest] = nodes;
  process.stdout.write(cairn(['node', 'start', '--detach', '--name', first.name, '--data-dir', first.dir, '--api', first.api, '--labels', first.labels]));
  const status = JSON.parse(cairn(['--api', `http://${first.api}`, '--json', 'cluster', 'status']));
  const seed = status.nodes[0].addrs[0];
  for (const n of rest) {
    process.stdout.write(cairn(['node', 'start', '--detach', '--name', n.name, '--data-dir', n.dir, '--api', n.api, '--labels', n.labels,
      '--join', seed, '--cluster-key', `${first.dir}/cluster.key`]));
  }
  const api = ['--api', `http://${nodes[1].api}`];
  for (let i = 0; i < 100; i++) {
    const s = JSON.parse(cairn([...api, '--json', 'cluster', 'status']));
    if (s.leader && s.nodes.length === 3 && s.nodes.every((n) => n.state === 'up')) break;
    spawnSync('sleep', ['0.1']);
  }
  process.stdout.write(cairn([...api, 'cluster', 'status']));

  say('submit examples/cluster.yml (jobs pinned by labels, one needs the others)');
  const r = spawnSync(process.execPath, [cli, ...api, 'submit', 'examples/cluster.yml', '--wait'], { stdio: 'inherit' });
  say('which node ran each job');
  process.stdout.write(cairn([...api, 'jobs']));
  say('the log of job 1.3, read through another node');
  process.stdout.write(cairn(['--api', `http://${nodes[2].api}`, 'logs', '1.3']));
  say('history (the git repository every node keeps identical)');
  process.stdout.write(cairn([...api, 'history', '--limit', '10']));
  for (const n of nodes) {
    // A node writes its history to git in batches (at most one a second); reading its history
    // through its own API writes what is pending first.
    cairn(['--api', `http://${n.api}`, 'history', '--limit', '1']);
    const head = execFileSync('git', ['-C', join_(n.dir, 'store'), 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    process.stdout.write(`${n.name}: store HEAD ${head}\n`);
  }
  process.exitCode = r.status ?? 1;
} catch (err) {
  process.stderr.write(`demo failed: ${err.stderr ?? err.message}\n`);
  process.exitCode = 1;
} finally {
  if (keep) {
    process.stdout.write(`\nThe cluster keeps running. Try: node dist/cairn.js --api http://${nodes[0].api} cluster status\nStop it with: ${nodes.map((n) => `node dist/cairn.js node stop --data-dir ${n.dir}`).join('; ')}\n`);
  } else {
    say('stopping the nodes (SIGTERM: drain, hand over leadership, exit)');
    await stopAll();
  }
}
