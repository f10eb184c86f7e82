import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianSource } from './fetch-sources.js';
import { cairn, execFileAsync, tempDir } from './helpers.js';
import { runPipeline } from './run-pipeline.js';

/**
 * The maven template on a real project nobody here wrote, built offline: Sam Pullara's
 * cli-parser, a small Maven library with a JUnit 4 suite, fetched as Debian's source package
 * (`apt-get source spullara-cli-parser`, through a private apt configuration).
 *
 * Offline Maven needs every plugin and dependency at a version Debian's repository
 * (/usr/share/maven-repo) holds. Debian prepares a source for that with maven-repo-helper's
 * `mh_patchpoms`, driven by the package's own debian/maven.rules; the test does the same, then
 * runs the unmodified template (`mvn -B verify`). Maven reads ~/.m2 from the `user.home`
 * property, not $HOME, and Maven 3.8 has no MAVEN_ARGS, so the offline settings.xml reaches it
 * through MAVEN_OPTS=-Duser.home=<private home>: the account's real ~/.m2 is never touched.
 */
const sourcePackage = 'spullara-cli-parser';
const binaryPackage = 'libspullara-cli-parser-java';
const mavenRepo = '/usr/share/maven-repo';

describe(`cairn init + the maven template on ${sourcePackage}, offline`, () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let project: string;
  let home: string;
  beforeAll(async () => {
    for (const [path, pkg] of [
      [join(mavenRepo, 'org/apache/maven/plugins/maven-surefire-plugin'), 'libsurefire-java'],
      [join(mavenRepo, 'org/apache/maven/plugins/maven-compiler-plugin'), 'libmaven-compiler-plugin-java'],
      [join(mavenRepo, 'junit/junit'), 'junit4'],
      ['/usr/bin/mh_patchpoms', 'maven-repo-helper'],
      ['/usr/bin/dpkg-source', 'dpkg-dev'],
      ['/usr/bin/mvn', 'maven'],
    ] as const) {
      if (!existsSync(path)) throw new Error(`${path} is missing: apt-get install ${pkg}`);
    }
    ({ dir, cleanup } = await tempDir('maven'));
    project = await debianSource(sourcePackage, dir);
    await execFileAsync(
      'mh_patchpoms',
      [`-p${binaryPackage}`, '--debian-build', '--keep-pom-version', `--maven-repo=${mavenRepo}`],
      { cwd: project, timeout: 60_000 },
    );
    home = join(dir, 'home');
    await mkdir(join(home, '.m2'), { recursive: true });
    await writeFile(
      join(home, '.m2', 'settings.xml'),
      `<settings>\n  <localRepository>${mavenRepo}</localRepository>\n  <offline>true</offline>\n</settings>\n`,
    );
  }, 240_000);
  afterAll(async () => cleanup());

  it('detects the project, writes one maven job, and the pipeline compiles and passes its tests', async () => {
    const init = await cairn(['--json', 'init', project]);
    expect(init.code).toBe(0);
    expect(JSON.parse(init.stdout).jobs).toEqual([{ id: 'maven', name: 'maven', template: 'maven', workingDirectory: '.' }]);

    const marker = join(dir, 'before-build');
    await writeFile(marker, '');
    const r = await runPipeline(join(project, 'cairn.yml'), { MAVEN_OPTS: `-Duser.home=${home}` }, 240_000);
    const all = `${r.stdout}\n${r.stderr}`;
    expect(r.code, `${all}`).toBe(0);
    expect(all).toMatch(/BUILD SUCCESS/);
    // Surefire's total over the project's own JUnit classes.
    const total = /Tests run: (\d+), Failures: 0, Errors: 0, Skipped: 0\s*\n(?:.*\n)*?.*BUILD SUCCESS/.exec(all);
    expect(Number(total?.[1])).toBeGreaterThanOrEqual(10);
    // The offline build read Debian's repository and wrote nothing there or in the real ~/.m2.
    expect(await readdir(join(home, '.m2'))).toEqual(['settings.xml']);
    const { stdout: written } = await execFileAsync('find', [mavenRepo, '-newer', marker, '-print']);
    expect(written).toBe('');
  }, 300_000);
});
