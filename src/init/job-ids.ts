import type { DetectedProject } from './types.js';

/**
 * A job id per project, unique in the pipeline and valid for GitHub's syntax (a letter first,
 * then letters, digits, `-` and `_`): the kind alone for the root, else the kind and the folder
 * (`npm-packages-web`); clashes get `-2`, `-3`, ….
 */
export function jobIds(projects: readonly DetectedProject[]): string[] {
  const taken = new Set<string>();
  return projects.map((p) => {
    const slug = p.dir === '.' ? '' : slugify(p.dir);
    const base = slug === '' ? p.kind : `${p.kind}-${slug}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return id;
  });
}

function slugify(dir: string): string {
  return dir
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
