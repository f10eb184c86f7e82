/** Limits and names of `cairn init`'s project detection, each with the reason it exists. */

/** The build tools cairn ships a template for, in the order jobs are written. */
export const templateKinds = ['npm', 'maven', 'cargo'] as const;

/** The manifest file that marks a project of each kind. */
export const manifestOf = {
  npm: 'package.json',
  maven: 'pom.xml',
  cargo: 'Cargo.toml',
} as const;

/** The file `cairn init` writes, the one `cairn run` reads by default. */
export const pipelineFileName = 'cairn.yml';

/**
 * Folders never searched: dependencies and build output (they hold other people's manifests,
 * and `vendor/` holds vendored crates), and test fixtures (sample projects for a tool's own
 * tests, not projects to build). Hidden folders (`.git`, `.cargo`, `.github`, …) are skipped too.
 */
export const skippedDirNames: ReadonlySet<string> = new Set([
  'node_modules',
  'bower_components',
  'jspm_packages',
  'target',
  'vendor',
  'dist',
  'build',
  'out',
  'coverage',
  'fixtures',
  '__fixtures__',
  'test-fixtures',
  'testdata',
]);

/** Deepest folder searched below the project root; deeper manifests are rare and slow to find. */
export const scanDepthMax = 8;

/** Most folders read in one scan, so a huge tree (or a home directory) ends with a warning. */
export const scanDirsMax = 20_000;

/** Largest manifest read for workspaces or modules; real ones are a few KiB. */
export const manifestBytesMax = 1024 * 1024;

/** How many folders up from this module the templates/ folder may be (src/init → root is 2). */
export const templateSearchLevelsMax = 6;
