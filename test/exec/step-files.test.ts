import { describe, expect, it } from 'vitest';
import { parseKeyValueFile, parsePathFile } from '../../src/exec/step-files.js';
import { CairnError } from '../../src/util/errors.js';

describe('parseKeyValueFile', () => {
  it('reads NAME=value and heredoc values; later wins', () => {
    const text = 'A=1\nB=x=y\r\nMULTI<<EOF\nl1\nl2\nEOF\nA=2\n\nE=\n';
    expect(parseKeyValueFile(text, 'GITHUB_ENV')).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
      ['MULTI', 'l1\nl2'],
      ['A', '2'],
      ['E', ''],
    ]);
  });

  it('rejects a heredoc without its delimiter, naming the line', () => {
    expect(() => parseKeyValueFile('X<<END\nabc\n', 'GITHUB_OUTPUT')).toThrow(/GITHUB_OUTPUT line 1: matching delimiter 'END'/);
    expect(() => parseKeyValueFile('garbage\n', 'GITHUB_ENV')).toThrow(CairnError);
  });

  it('reads GITHUB_PATH lines', () => {
    expect(parsePathFile('/a/bin\n\n /b \n')).toEqual(['/a/bin', '/b']);
  });
});
