import { existsSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairn, tempDir } from './helpers.js';
import { runPipeline } from './run-pipeline.js';

/**
 * The cargo template on a real crate nobody here wrote, built offline: heck 0.4.0 as Debian
 * ships it (`apt-get install librust-heck-dev`), with crates.io replaced by Debian's crate
 * directory in a private CARGO_HOME, so no user configuration is involved.
 */
const registry = '/usr/share/cargo/registry';
const crate = 'heck-0.4.0';

describe(`cairn init + the cargo template on ${crate}, offline`, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let project: string;
  let cargoHome: string;
  beforeAll(async () => {
    if (!existsSync(join(registry, crate, 'Cargo.toml'))) {
      throw new Error(`${registry}/${crate} is missing: apt-get install librust-heck-dev`);
    }
    ({ dir, cleanup } = await tempDir('cargo'));
    project = join(dir, 'heck');
    await cp(join(registry, crate), project, { recursive: true });
    cargoHome = join(dir, 'cargo-home');
    await mkdir(cargoHome, { recursive: true });
    await writeFile(
      join(cargoHome, 'config.toml'),
      `[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "${registry}"\n`,
    );
  });
  afterAll(async () => cleanup());

  it('detects the crate, writes one cargo job, and the pipeline builds it and passes its tests', async () => {
    const init = await cairn(['--json', 'init', project]);
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout).jobs).toEqual([{ id: 'cargo', name: 'cargo', template: 'cargo', workingDirectory: '.' }]);

    const r = await runPipeline(
      join(project, 'cairn.yml'),
      { CARGO_HOME: cargoHome, CARGO_NET_OFFLINE: 'true', CARGO_TERM_COLOR: 'never' },
      240_000,
    );
    const all = `${r.stdout}\n${r.stderr}`;
    expect(r.code, `${all}`).toBe(0);
    // Unit tests and doc tests of the crate itself, all passed.
    const results = [...all.matchAll(/test result: ok\. (\d+) passed; 0 failed/g)].map((m) => Number(m[1]));
    expect(results.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(50);
    expect(all).not.toMatch(/test result: FAILED/);
  }, 300_000);
});
