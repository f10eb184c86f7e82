import { selectProjects } from './coverage.js';
import { scanManifests } from './scan-manifests.js';
import type { Detection } from './types.js';

/**
 * The npm, maven and cargo projects in `root` and below, one per independent build: the
 * members of an npm workspace, a maven multi-module build or a cargo workspace are left to
 * their root (see selectProjects). Reads only; never writes.
 */
export async function detectProjects(root: string): Promise<Detection> {
  const { found, warnings } = await scanManifests(root);
  const projects = selectProjects(found).map((p) => {
    const manifest = found.find((m) => m.kind === p.kind && m.dir === p.dir);
    return manifest?.workspaces !== undefined && manifest.workspaces.length > 0
      ? { ...p, npmWorkspaces: true as const }
      : p;
  });
  return { projects, warnings };
}
