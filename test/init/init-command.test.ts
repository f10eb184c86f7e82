import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, readlink, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parsePipeline } from '../../src/pipeline/index.js';
import { cairn, tempDir, writeTree } from './helpers.js';

/** Every file below `root` with a hash of its content and its mtime, to prove nothing else changed. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    const st = await lstat(file);
    if (!st.isFile()) continue;
    const hash = createHash('sha256').update(await readFile(file)).digest('hex');
    out.set(relative(root, file), `${hash} ${st.mtimeMs}`);
  }
  return out;
}

describe('cairn init (built CLI)', () => {
  let base: string;
  let cleanup: () => Promise<void>;
  let n = 0;
  let dir: string;
  beforeAll(async () => ({ dir: base, cleanup } = await tempDir('cli')));
  afterAll(async () => cleanup());
  beforeEach(async () => {
    dir = join(base, `p${n++}`);
    await mkdir(dir);
  });

  it('writes cairn.yml for a single project and says what it wrote', async () => {
    await writeTree(dir, { 'Cargo.toml': '[package]\nname = "a"\nversion = "0.1.0"\n' });
    const r = await cairn(['init', dir]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^wrote .*cairn\.yml with 1 job:\n {2}cargo {2}cargo {2}\.\nrun it with: cairn run /);
    const text = await readFile(join(dir, 'cairn.yml'), 'utf8');
    const p = parsePipeline(text, join(dir, 'cairn.yml'));
    expect(p.jobs.map((j) => j.id)).toEqual(['cargo']);
  });

  it('writes one job per project of a monorepo, each in its folder, and reports them as JSON', async () => {
    await writeTree(dir, {
      'web/package.json': '{"name":"web"}',
      'server/pom.xml': '<project/>',
      'engine/Cargo.toml': '[package]\nname = "e"\nversion = "0.1.0"\n',
    });
    const r = await cairn(['--json', 'init', dir]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toEqual({
      file: join(dir, 'cairn.yml'),
      overwritten: false,
      warnings: [],
      jobs: [
        { id: 'cargo-engine', name: 'cargo (engine)', template: 'cargo', workingDirectory: 'engine' },
        { id: 'maven-server', name: 'maven (server)', template: 'maven', workingDirectory: 'server' },
        { id: 'npm-web', name: 'npm (web)', template: 'npm', workingDirectory: 'web' },
      ],
    });
    const p = parsePipeline(await readFile(join(dir, 'cairn.yml'), 'utf8'), 'cairn.yml');
    expect(p.jobs.map((j) => j.defaults.workingDirectory)).toEqual(['engine', 'server', 'web']);
  });

  it('refuses to overwrite an existing cairn.yml without --force (exit 2), and replaces it with --force', async () => {
    await writeTree(dir, { 'package.json': '{}', 'cairn.yml': 'jobs: {} # mine\n' });
    const refused = await cairn(['init', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cairn\.yml already exists; pass --force to replace it/);
    expect(await readFile(join(dir, 'cairn.yml'), 'utf8')).toBe('jobs: {} # mine\n');

    const json = await cairn(['init', dir, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'CONFLICT' } });

    const forced = await cairn(['init', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^replaced /);
    expect(await readFile(join(dir, 'cairn.yml'), 'utf8')).toMatch(/npm test/);
  });

  it('with --force replaces a symbolic link named cairn.yml, never the file it points to', async () => {
    await writeTree(dir, { 'package.json': '{}', 'elsewhere.yml': 'precious\n' });
    await symlink(join(dir, 'elsewhere.yml'), join(dir, 'cairn.yml'));
    expect((await cairn(['init', dir])).code).toBe(2);
    expect(await readlink(join(dir, 'cairn.yml'))).toBe(join(dir, 'elsewhere.yml'));
    expect((await cairn(['init', dir, '--force'])).code).toBe(0);
    expect((await lstat(join(dir, 'cairn.yml'))).isFile()).toBe(true);
    expect(await readFile(join(dir, 'elsewhere.yml'), 'utf8')).toBe('precious\n');
  });

  it('finds nothing: a clear error, exit 2, no file written', async () => {
    await writeTree(dir, { 'README.md': 'hello\n' });
    const r = await cairn(['init', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/found no package\.json, pom\.xml, Cargo\.toml in .* or below; pass --template/);
    expect(await readdir(dir)).toEqual(['README.md']);
  });

  it('--template forces a template: at the root when nothing matches, else only projects of that kind', async () => {
    const empty = await cairn(['init', dir, '--template', 'maven']);
    expect(empty.code).toBe(0);
    let p = parsePipeline(await readFile(join(dir, 'cairn.yml'), 'utf8'), 'cairn.yml');
    expect(p.jobs.map((j) => [j.id, j.defaults.workingDirectory])).toEqual([['maven', undefined]]);

    await writeTree(dir, { 'a/package.json': '{}', 'b/Cargo.toml': '[package]\nname="b"\nversion="0.1.0"\n' });
    expect((await cairn(['init', dir, '--template', 'npm', '--force'])).code).toBe(0);
    p = parsePipeline(await readFile(join(dir, 'cairn.yml'), 'utf8'), 'cairn.yml');
    expect(p.jobs.map((j) => j.id)).toEqual(['npm-a']);
  });

  it('rejects an unknown template and a missing directory with exit 2', async () => {
    const bad = await cairn(['init', dir, '--template', 'gradle']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown template "gradle"; use one of npm, maven, cargo/);
    const missing = await cairn(['init', join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such directory/);
  });

  it('never writes or changes user configuration: only cairn.yml appears', async () => {
    const home = join(dir, 'home');
    await writeTree(dir, {
      'project/package.json': '{"name":"p"}',
      'project/.npmrc': 'registry=http://127.0.0.1:9/\n',
      'project/.cargo/config.toml': '[net]\noffline = true\n',
      'project/Cargo.toml': '[package]\nname = "p"\nversion = "0.1.0"\n',
      'project/pom.xml': '<project/>',
      'project/settings.xml': '<settings><offline>true</offline></settings>',
      'project/.mvn/maven.config': '-o\n',
      'home/.m2/settings.xml': '<settings/>',
      'home/.cargo/config.toml': '',
      'home/.npmrc': '',
    });
    const before = await snapshot(dir);
    const r = await cairn(['init', join(dir, 'project')], {
      env: { HOME: home, CARGO_HOME: join(home, '.cargo'), NPM_CONFIG_USERCONFIG: join(home, '.npmrc') },
    });
    expect(r.code).toBe(0);
    const after = await snapshot(dir);
    expect([...after.keys()].filter((k) => !before.has(k))).toEqual(['project/cairn.yml']);
    for (const [file, state] of before) expect(after.get(file), file).toBe(state);
  });
});

describe('cairn init --help', () => {
  it('documents the arguments and flags', async () => {
    const r = await cairn(['init', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--template <name>/);
    expect(r.stdout).toMatch(/--force/);
  });
});

