/**
 * SIGHUP reloads a node's labels from its `--config` file. Real processes: node b starts with a
 * config file, the file gains a label, `kill -HUP`, every node sees the label and a job that needs
 * it runs on b. Slots given as a flag stay as given; a broken file, an unchanged one and a node
 * without a config file keep their labels and keep running. Plus how the file and flags combine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeConfig } from '../../node/config.js';
import { CairnError } from '../../src/util/errors.js';
import { api, jobEnded, TestCluster, waitFor, type ClusterView, type NodeProc } from './cluster-harness.js';

/** How long a reload may take to show (one Raft commit, on a loaded 2-core box). */
const reloadWaitMs = 15_000;
const jobWaitMs = 30_000;

let cluster: TestCluster;
let configFile: string;

beforeAll(async () => {
  cluster = new TestCluster('cairn-sighup-');
  configFile = join(cluster.dir, 'b.yml');
  writeFileSync(configFile, '# node b\nlabels: [alpha]\n');
  try {
    await cluster.startNode({ name: 'a', labels: ['base'] });
    // The harness gives every node --slots 2: a flag, which a reload must leave alone.
    await cluster.startNode({ name: 'b' }, { extraArgs: ['--config', configFile] });
    await cluster.waitFormed(['a', 'b']);
  } catch (err) {
    cluster.stopAll();
    throw err;
  }
}, 90_000);

afterAll(async () => {
  await cluster?.dispose();
});

const needing = (label: string): string => `name: needs-${label}\njobs:\n  t:\n    labels: [${label}]\n    steps:\n      - run: "true"\n`;

async function nodeView(via: string, name: string): Promise<ClusterView['nodes'][number] | undefined> {
  return (await api<ClusterView>(cluster.node(via).apiUrl, '/v1/cluster')).body.nodes.find((n) => n.name === name);
}

/** Waits for a pino record from `node` with this message, after the first `skip` such records. */
function logged(node: NodeProc, msg: string, skip = 0): Promise<Record<string, any>> {
  return waitFor(`node ${node.name} to log "${msg}"`, () => node.logs().filter((r) => r.msg === msg)[skip], reloadWaitMs);
}

describe('SIGHUP on a node started with --config', () => {
  it('starts with the file\'s labels', async () => {
    const b = await nodeView('a', 'b');
    expect(b?.labels).toContain('alpha');
    expect(b?.slots).toBe(2);
    const refused = await cluster.submit('a', needing('beta'));
    expect(refused.status).toBe(422);
    expect((refused.body as unknown as { error: { code: string } }).error.code).toBe('UNPLACEABLE');
  });

  it('reloads changed labels, and the cluster places a job needing the new label on that node', async () => {
    writeFileSync(configFile, 'labels: [alpha, beta]\nslots: 5\n');
    cluster.node('b').kill('SIGHUP');
    const rec = await logged(cluster.node('b'), 'SIGHUP: labels and slots reloaded');
    expect(rec.labels).toEqual(['alpha', 'beta']);
    // Every node applies it from the log: ask the other one.
    const b = await waitFor('node a to see b labelled beta', async () => {
      const v = await nodeView('a', 'b');
      return v?.labels.includes('beta') ? v : null;
    }, reloadWaitMs);
    expect(b.labels).toContain('alpha');
    expect(b.slots).toBe(2); // --slots 2 was given as a flag: flags win over the file
    const sub = await cluster.submit('a', needing('beta'));
    expect(sub.status).toBe(201);
    const job = await jobEnded(cluster.node('a').apiUrl, sub.body.jobs[0]!, jobWaitMs);
    expect(job.state).toBe('succeeded');
    expect(job.node).toBe('b');
  });

  it('keeps its labels and keeps running when the file is unchanged or broken', async () => {
    const b = cluster.node('b');
    b.kill('SIGHUP');
    const same = await logged(b, 'SIGHUP: labels and slots unchanged');
    expect(same.labels).toEqual(['alpha', 'beta']);
    expect(same.fromFlags).toEqual(['slots']);
    writeFileSync(configFile, 'labels: [alpha, beta\n');
    b.kill('SIGHUP');
    const broken = await logged(b, 'SIGHUP: config file not reloaded, the node keeps its labels and slots');
    expect(broken.file).toBe(configFile);
    writeFileSync(configFile, 'labels: [alpha]\nlabel: [typo]\n');
    b.kill('SIGHUP');
    const unknown = await logged(b, 'SIGHUP: config file not reloaded, the node keeps its labels and slots', 1);
    expect(unknown.err).toContain('unknown setting "label"');
    expect(b.alive).toBe(true);
    expect((await nodeView('b', 'b'))?.labels).toContain('beta');
  });

  it('is harmless on a node without a config file', async () => {
    const a = cluster.node('a');
    a.kill('SIGHUP');
    await logged(a, 'SIGHUP: this node has no --config file, nothing to reload (labels and slots given as flags stay as they are)');
    expect(a.alive).toBe(true);
    expect((await api<{ ok: boolean }>(a.apiUrl, '/healthz')).body.ok).toBe(true);
    expect((await nodeView('a', 'a'))?.labels).toContain('base');
  });
});

describe('the config file and flags', () => {
  it('takes settings from the file, flags first, paths relative to the file', async () => {
    const dir = join(cluster.dir, 'conf');
    mkdirSync(dir);
    const file = join(dir, 'node.yml');
    writeFileSync(file, 'name: n1\ndata-dir: data\ncluster-key: keys/cluster.key\nlabels: maven, os=linux\nslots: 3\napi: 127.0.0.1:7099\njoin: /ip4/127.0.0.1/tcp/1/p2p/x\n');
    const c = await loadNodeConfig({ config: file }, {});
    expect(c).toMatchObject({
      name: 'n1', dataDir: join(dir, 'data'), clusterKeyFile: join(dir, 'keys', 'cluster.key'), labels: ['maven', 'os=linux'], slots: 3,
      apiHost: '127.0.0.1', apiPort: 7099, join: ['/ip4/127.0.0.1/tcp/1/p2p/x'], configFile: file,
    });
    const f = await loadNodeConfig({ config: file, labels: 'gpu', slots: '1', name: 'n2' }, {});
    expect(f).toMatchObject({ name: 'n2', labels: ['gpu'], slots: 1, dataDir: join(dir, 'data') });
  });

  it('refuses an unknown setting, a wrong type and a bad label as usage errors naming the file', async () => {
    const file = join(cluster.dir, 'bad.yml');
    const refusal = async (text: string): Promise<CairnError> => {
      writeFileSync(file, text);
      const err = await loadNodeConfig({ config: file }, {}).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(CairnError);
      expect((err as CairnError).code).toBe('USAGE');
      expect((err as CairnError).message).toContain(file);
      return err as CairnError;
    };
    expect((await refusal('lables: [x]\n')).message).toContain('unknown setting "lables"');
    expect((await refusal('slots: [1]\n')).message).toContain('"slots" takes a whole number');
    expect((await refusal('labels: ["!gpu"]\n')).message).toContain('cannot be negated');
    expect((await refusal('- a\n- b\n')).message).toContain('must be a mapping');
  });
});
