import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplates, renderPipeline, templateKinds, templatesDir, type DetectedProject } from '../../src/init/index.js';
import { parsePipeline } from '../../src/pipeline/index.js';

const templates = await loadTemplates();

describe('templates', () => {
  it.each(templateKinds)('templates/%s.yml is a valid pipeline: checkout first, any node', (kind) => {
    const file = join(templatesDir(), `${kind}.yml`);
    const p = parsePipeline(readFileSync(file, 'utf8'), file);
    expect(p.jobs).toHaveLength(1);
    const job = p.jobs[0]!;
    expect(job.runsOn).toEqual(['self-hosted', 'linux']);
    expect(job.labels).toEqual([]);
    expect(job.steps[0]!.uses).toBe('actions/checkout@v4');
  });

  it('install, build and test the standard way', () => {
    const runs = (kind: (typeof templateKinds)[number]): string =>
      parsePipeline(templates[kind], `${kind}.yml`).jobs[0]!.steps.map((s) => s.run ?? '').join('\n');
    expect(runs('npm')).toMatch(/npm ci/);
    expect(runs('npm')).toMatch(/npm install/);
    expect(runs('npm')).toMatch(/^npm test$/m);
    expect(runs('maven')).toMatch(/^mvn -B verify$/m);
    expect(runs('cargo')).toMatch(/^cargo build\b/m);
    expect(runs('cargo')).toMatch(/^cargo test\b/m);
  });
});

describe('renderPipeline', () => {
  const dirs = ['.', 'packages/web', 'services/api server', 'a/b/c'];
  // Every mix of kinds and folders a detection can produce, including clashing ids.
  const mixes: DetectedProject[][] = [];
  for (const kind of templateKinds) for (const dir of dirs) mixes.push([{ kind, dir }]);
  mixes.push(templateKinds.flatMap((kind) => dirs.map((dir) => ({ kind, dir }))));
  mixes.push([
    { kind: 'npm', dir: 'a-b' },
    { kind: 'npm', dir: 'a/b' },
    { kind: 'npm', dir: 'A_B' },
  ]);
  mixes.push([{ kind: 'npm', dir: '.', npmWorkspaces: true }]);

  it.each(mixes.map((m) => [m.map((p) => `${p.kind}:${p.dir}`).join(' '), m] as const))(
    'writes a pipeline that parses: %s',
    (_label, projects) => {
      const { text, jobs } = renderPipeline(projects, templates, 'demo');
      const p = parsePipeline(text, 'cairn.yml');
      expect(p.name).toBe('demo');
      expect(p.jobs.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
      expect(new Set(jobs.map((j) => j.id)).size).toBe(projects.length);
      projects.forEach((project, i) => {
        const job = p.jobs[i]!;
        expect(job.id).toMatch(/^[a-z][a-z0-9_-]*$/);
        expect(job.defaults.workingDirectory).toBe(project.dir === '.' ? undefined : project.dir);
        expect(job.steps[0]!.uses).toBe('actions/checkout@v4');
        expect(jobs[i]).toMatchObject({ template: project.kind, workingDirectory: project.dir });
      });
    },
  );

  it('names jobs after their kind and folder', () => {
    const { jobs } = renderPipeline(
      [
        { kind: 'cargo', dir: '.' },
        { kind: 'npm', dir: 'packages/Web UI' },
        { kind: 'npm', dir: 'packages/web-ui' },
      ],
      templates,
      'x',
    );
    expect(jobs.map((j) => [j.id, j.name])).toEqual([
      ['cargo', 'cargo'],
      ['npm-packages-web-ui', 'npm (packages/Web UI)'],
      ['npm-packages-web-ui-2', 'npm (packages/web-ui)'],
    ]);
  });

  it('builds and tests every member of an npm workspace root', () => {
    const { text } = renderPipeline([{ kind: 'npm', dir: '.', npmWorkspaces: true }], templates, 'x');
    const steps = parsePipeline(text, 'cairn.yml').jobs[0]!.steps;
    expect(steps.find((s) => s.id === 'test')!.run).toBe('npm test --workspaces --include-workspace-root --if-present');
    expect(steps.find((s) => s.id === 'build')!.run).toMatch(/--workspaces/);
  });
});
