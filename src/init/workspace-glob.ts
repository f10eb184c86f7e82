/**
 * npm `workspaces` patterns, matched against a folder path relative to the workspace root.
 * npm expands them with a glob library; the subset real manifests use is supported here: `*`,
 * `**`, `?`, `{a,b}`, a leading `./`, and `!` to exclude.
 */

/** Whether `relDir` (`/`-separated, relative to the workspace root) is a member per `patterns`. */
export function matchesWorkspaces(relDir: string, patterns: readonly string[]): boolean {
  let member = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const re = globToRegExp(negated ? raw.slice(1) : raw);
    if (re.test(relDir)) member = !negated;
  }
  return member;
}

/** Turns one glob into an anchored regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  const g = glob.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  let out = '';
  let braces = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g[i] as string;
    if (c === '*') {
      if (g[i + 1] === '*') {
        // `**/` matches zero or more whole folders; a trailing `**` matches anything below.
        const slash = g[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) {
      out += '|';
    } else {
      out += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`);
}
