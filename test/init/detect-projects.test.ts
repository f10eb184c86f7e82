import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectProjects, type DetectedProject } from '../../src/init/index.js';
import { tempDir, writeTree } from './helpers.js';

const pom = (modules: string[] = []): string =>
  `<project><modelVersion>4.0.0</modelVersion>${
    modules.length > 0 ? `<modules>${modules.map((m) => `<module>${m}</module>`).join('')}</modules>` : ''
  }</project>`;
const crate = (name: string): string => `[package]\nname = "${name}"\nversion = "0.1.0"\n`;
const workspace = (members: string[]): string => `[workspace]\nmembers = ${JSON.stringify(members)}\n`;

describe('detectProjects', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('detect')));
  afterEach(async () => cleanup());

  const cases: Array<{ name: string; tree: Record<string, string>; expected: DetectedProject[] }> = [
    {
      name: 'a single npm package',
      tree: { 'package.json': '{"name":"a"}', 'src/index.js': '' },
      expected: [{ kind: 'npm', dir: '.' }],
    },
    {
      name: 'a single maven project, with an integration-test project below it',
      tree: { 'pom.xml': pom(), 'src/it/simple/pom.xml': pom() },
      expected: [{ kind: 'maven', dir: '.' }],
    },
    {
      name: 'a single crate, with a fuzz crate below it',
      tree: { 'Cargo.toml': crate('a'), 'fuzz/Cargo.toml': crate('a-fuzz') },
      expected: [{ kind: 'cargo', dir: '.' }],
    },
    {
      name: 'a monorepo of several kinds without a root manifest',
      tree: {
        'web/package.json': '{"name":"web"}',
        'server/pom.xml': pom(),
        'engine/Cargo.toml': crate('engine'),
        'tools/cli/package.json': '{"name":"cli"}',
        'README.md': '',
      },
      expected: [
        { kind: 'cargo', dir: 'engine' },
        { kind: 'maven', dir: 'server' },
        { kind: 'npm', dir: 'tools/cli' },
        { kind: 'npm', dir: 'web' },
      ],
    },
    {
      name: 'two kinds in one folder, root first',
      tree: { 'package.json': '{}', 'Cargo.toml': crate('napi'), 'docs/package.json': '{}' },
      expected: [
        { kind: 'npm', dir: '.' },
        { kind: 'cargo', dir: '.' },
        { kind: 'npm', dir: 'docs' },
      ],
    },
    {
      name: 'a cargo workspace: members and nested crates are the root job',
      tree: {
        'Cargo.toml': workspace(['crates/*']),
        'crates/core/Cargo.toml': crate('core'),
        'crates/cli/Cargo.toml': crate('cli'),
        'crates/cli/examples/demo/Cargo.toml': crate('demo'),
      },
      expected: [{ kind: 'cargo', dir: '.' }],
    },
    {
      name: 'a cargo workspace in a sub-folder of a polyglot repository',
      tree: {
        'package.json': '{"name":"site"}',
        'rust/Cargo.toml': workspace(['a', 'b']),
        'rust/a/Cargo.toml': crate('a'),
        'rust/b/Cargo.toml': crate('b'),
      },
      expected: [
        { kind: 'npm', dir: '.' },
        { kind: 'cargo', dir: 'rust' },
      ],
    },
    {
      name: 'a maven multi-module build, including a module beside the aggregator',
      tree: {
        'parent/pom.xml': pom(['core', 'app', '../shared']),
        'parent/core/pom.xml': pom(),
        'parent/app/pom.xml': pom(),
        'shared/pom.xml': pom(),
        'other/pom.xml': pom(),
      },
      expected: [
        { kind: 'maven', dir: 'other' },
        { kind: 'maven', dir: 'parent' },
      ],
    },
    {
      name: 'an npm workspace: members are the root job, other packages are their own',
      tree: {
        'package.json': '{"name":"mono","workspaces":["packages/*"]}',
        'packages/a/package.json': '{"name":"a"}',
        'packages/b/package.json': '{"name":"b"}',
        'examples/demo/package.json': '{"name":"demo"}',
      },
      expected: [
        { kind: 'npm', dir: '.', npmWorkspaces: true },
        { kind: 'npm', dir: 'examples/demo' },
      ],
    },
    {
      name: 'dependencies, build output, fixtures and hidden folders are never searched',
      tree: {
        'package.json': '{}',
        'node_modules/dep/package.json': '{}',
        'node_modules/dep/Cargo.toml': crate('x'),
        'target/package/x/Cargo.toml': crate('x'),
        'vendor/lib/pom.xml': pom(),
        'dist/package.json': '{}',
        'test/fixtures/app/package.json': '{}',
        '.git/modules/sub/package.json': '{}',
        '.cargo/registry/x/Cargo.toml': crate('x'),
      },
      expected: [{ kind: 'npm', dir: '.' }],
    },
    { name: 'nothing to build', tree: { 'README.md': '# hi', 'src/main.c': '' }, expected: [] },
  ];

  it.each(cases)('$name', async ({ tree, expected }) => {
    await writeTree(dir, tree);
    const { projects, warnings } = await detectProjects(dir);
    expect(projects).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it('warns about a malformed package.json and still builds it', async () => {
    await writeTree(dir, { 'package.json': '{ "name": ' });
    const { projects, warnings } = await detectProjects(dir);
    expect(projects).toEqual([{ kind: 'npm', dir: '.' }]);
    expect(warnings).toEqual([expect.stringMatching(/^package\.json: not valid JSON/)]);
  });

  it('does not follow symbolic links to folders (no loops, nothing outside)', async () => {
    await writeTree(dir, { 'app/package.json': '{}' });
    await symlink(dir, join(dir, 'app', 'loop'));
    await symlink('/usr', join(dir, 'usr'));
    const { projects } = await detectProjects(dir);
    expect(projects).toEqual([{ kind: 'npm', dir: 'app' }]);
  });

  it('stops at the depth limit', async () => {
    const deep = Array.from({ length: 12 }, (_, i) => `d${i}`).join('/');
    await mkdir(join(dir, deep), { recursive: true });
    await writeTree(dir, { [`${deep}/package.json`]: '{}', 'd0/d1/package.json': '{}' });
    const { projects } = await detectProjects(dir);
    expect(projects).toEqual([{ kind: 'npm', dir: 'd0/d1' }]);
  });
});
