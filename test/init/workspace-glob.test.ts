import { describe, expect, it } from 'vitest';
import { matchesWorkspaces } from '../../src/init/workspace-glob.js';

describe('matchesWorkspaces', () => {
  const table: Array<[string, string[], boolean]> = [
    ['packages/web', ['packages/*'], true],
    ['packages/web', ['./packages/*'], true],
    ['packages/web', ['packages/*/'], true],
    ['packages/web/inner', ['packages/*'], false],
    ['packages/web/inner', ['packages/**'], true],
    ['apps/a/b', ['apps/**/b'], true],
    ['apps/b', ['apps/**/b'], true],
    ['tools/cli', ['packages/*', 'tools/cli'], true],
    ['tools/cli2', ['tools/cli'], false],
    ['packages/web', ['packages/*', '!packages/web'], false],
    ['packages/api', ['packages/*', '!packages/web'], true],
    ['libs/a', ['{libs,apps}/*'], true],
    ['apps/a', ['{libs,apps}/*'], true],
    ['other/a', ['{libs,apps}/*'], false],
    ['pkg.v2', ['pkg.v?'], true],
    ['pkgxv2', ['pkg.v2'], false],
    ['anything', [], false],
  ];
  it.each(table)('%s with %j → %s', (dir, patterns, expected) => {
    expect(matchesWorkspaces(dir, patterns)).toBe(expected);
  });
});
