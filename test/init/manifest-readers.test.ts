import { describe, expect, it } from 'vitest';
import { readMavenModules, readNpmWorkspaces } from '../../src/init/manifest-readers.js';

describe('readNpmWorkspaces', () => {
  it.each([
    ['{"name":"a"}', { workspaces: [] }],
    ['{"workspaces":["packages/*","apps/web"]}', { workspaces: ['packages/*', 'apps/web'] }],
    ['{"workspaces":{"packages":["libs/*"],"nohoist":["**/x"]}}', { workspaces: ['libs/*'] }],
  ])('%s', (text, expected) => {
    expect(readNpmWorkspaces(text)).toEqual(expected);
  });

  it.each([
    ['{ not json', /not valid JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"workspaces":"packages/*"}', /not a list/],
    ['{"workspaces":[1]}', /not a list/],
  ])('names the problem in %s', (text, problem) => {
    const r = readNpmWorkspaces(text);
    expect('problem' in r && r.problem).toMatch(problem);
  });
});

describe('readMavenModules', () => {
  it('reads modules, including those of profiles, and ignores commented ones', () => {
    const pom = `<project>
      <modules>
        <module>core</module>
        <!-- <module>old</module> -->
        <module> app </module>
      </modules>
      <profiles><profile><modules><module>../extra/pom.xml</module></modules></profile></profiles>
    </project>`;
    expect(readMavenModules(pom)).toEqual(['core', 'app', '../extra/pom.xml']);
  });

  it('finds none in a single-module pom', () => {
    expect(readMavenModules('<project><artifactId>x</artifactId></project>')).toEqual([]);
  });
});
