import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { npmPackage } from './fetch-sources.js';
import { cairn, tempDir } from './helpers.js';
import { runPipeline } from './run-pipeline.js';

/**
 * The npm template on a real package nobody here wrote: shell-quote 1.7.2 from the npm
 * registry, which ships its tape test suite in its tarball (no lockfile there, so the
 * pipeline takes the `npm install` branch; its devDependency comes from the registry).
 */
const spec = 'shell-quote@1.7.2';

describe(`cairn init + the npm template on ${spec}`, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let project: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('npm'));
    project = await npmPackage(spec, dir);
  }, 180_000);
  afterAll(async () => cleanup());

  it('detects the package, writes one npm job, and the pipeline installs and passes its tests', async () => {
    const init = await cairn(['--json', 'init', project]);
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout).jobs).toEqual([{ id: 'npm', name: 'npm', template: 'npm', workingDirectory: '.' }]);

    const r = await runPipeline(join(project, 'cairn.yml'), { npm_config_audit: 'false', npm_config_fund: 'false' }, 240_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    // tape's summary: every one of the package's own assertions ran and passed.
    const pass = /# pass\s+(\d+)/.exec(r.stdout);
    expect(Number(pass?.[1])).toBeGreaterThanOrEqual(100);
    expect(r.stdout).not.toMatch(/# fail\s+[1-9]/);
  }, 300_000);
});
