/**
 * What `cairn init` needs from a manifest: which folders below it belong to the same build.
 * Pure text in, data out; a manifest that cannot be read this way gives a warning, not a stop,
 * because the build tool itself will report the problem with more authority.
 */

/** The `workspaces` patterns of a package.json (array form, or yarn's `{ packages }` form). */
export function readNpmWorkspaces(text: string): { workspaces: string[] } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { problem: `not valid JSON (${(err as Error).message})` };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return { problem: 'not a JSON object' };
  const ws = (json as Record<string, unknown>)['workspaces'];
  if (ws === undefined) return { workspaces: [] };
  const list = Array.isArray(ws)
    ? ws
    : ws !== null && typeof ws === 'object'
      ? (ws as Record<string, unknown>)['packages']
      : undefined;
  if (!Array.isArray(list) || !list.every((p): p is string => typeof p === 'string')) {
    return { problem: '"workspaces" is not a list of folder patterns' };
  }
  return { workspaces: list };
}

/** The `<module>` entries of a pom.xml, including those inside profiles. */
export function readMavenModules(text: string): string[] {
  const withoutComments = text.replace(/<!--[\s\S]*?-->/g, '');
  const modules: string[] = [];
  for (const m of withoutComments.matchAll(/<module>\s*([^<]*?)\s*<\/module>/g)) {
    const path = decodeXmlEntities(m[1] ?? '');
    if (path !== '') modules.push(path);
  }
  return modules;
}

function decodeXmlEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
