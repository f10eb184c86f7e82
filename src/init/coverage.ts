import { posix } from 'node:path';
import { templateKinds } from './constants.js';
import type { DetectedProject, TemplateKind } from './types.js';
import { matchesWorkspaces } from './workspace-glob.js';

/** A manifest found on disk, with what it says about the folders it builds. */
export interface FoundManifest {
  kind: TemplateKind;
  /** Folder relative to the scanned root, `/`-separated; `.` for the root. */
  dir: string;
  /** npm: the `workspaces` patterns of this package.json. */
  workspaces?: string[];
  /** maven: the `<module>` paths of this pom.xml, relative to its folder. */
  modules?: string[];
}

/** Whether folder `child` lies strictly below folder `parent` (both relative, `.` = root). */
export function isBelow(child: string, parent: string): boolean {
  if (child === parent) return false;
  return parent === '.' || child.startsWith(parent + '/');
}

/** `child` relative to its ancestor `parent`. */
function relativeTo(child: string, parent: string): string {
  return parent === '.' ? child : child.slice(parent.length + 1);
}

/**
 * Keeps the manifests whose build nobody else already runs, one job each:
 * - maven and cargo: the topmost manifest builds everything below it. A multi-module pom lists
 *   its modules, a cargo workspace its members, and what is left below them is almost always
 *   part of the same build (a path dependency, an example or fuzz crate, an integration-test
 *   project). A pom's `<module>` outside its own folder (`../lib`) is covered too.
 * - npm: a package.json below another is its own project, unless the one above lists it in
 *   `workspaces` (then `npm ci` at the root installs it and the root job tests it).
 * Pure: the caller reads the disk.
 */
export function selectProjects(found: readonly FoundManifest[]): DetectedProject[] {
  const covered = new Set<string>();
  const key = (m: { kind: TemplateKind; dir: string }): string => `${m.kind}:${m.dir}`;
  for (const m of found) {
    if (m.kind === 'maven') {
      for (const mod of m.modules ?? []) covered.add(key({ kind: 'maven', dir: moduleDir(m.dir, mod) }));
    }
  }
  const projects: DetectedProject[] = [];
  for (const m of found) {
    if (covered.has(key(m))) continue;
    const coveredByAncestor = found.some((other) => {
      if (other.kind !== m.kind || !isBelow(m.dir, other.dir)) return false;
      if (m.kind !== 'npm') return true;
      return matchesWorkspaces(relativeTo(m.dir, other.dir), other.workspaces ?? []);
    });
    if (!coveredByAncestor) projects.push({ kind: m.kind, dir: m.dir });
  }
  return projects.sort(compareProjects);
}

/** The folder a `<module>` entry names: a folder, or a pom file inside one. */
function moduleDir(pomDir: string, module: string): string {
  let p = posix.normalize(posix.join(pomDir, module.trim()));
  if (p.endsWith('.xml')) p = posix.dirname(p);
  return p === '' ? '.' : p;
}

/** Root first, then folders in path order; within a folder, npm, maven, cargo. */
export function compareProjects(a: DetectedProject, b: DetectedProject): number {
  if (a.dir !== b.dir) {
    if (a.dir === '.') return -1;
    if (b.dir === '.') return 1;
    return a.dir < b.dir ? -1 : 1;
  }
  return templateKinds.indexOf(a.kind) - templateKinds.indexOf(b.kind);
}
