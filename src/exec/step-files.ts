import { CairnError } from '../util/errors.js';

/**
 * Parses the `$GITHUB_ENV` / `$GITHUB_OUTPUT` file format: `NAME=value` lines, and
 * `NAME<<DELIMITER` followed by lines up to a line holding only DELIMITER for multi-line
 * values. Later assignments win. A missing delimiter is an error, as in GitHub's runner,
 * because silently taking the rest of the file would hide a broken step.
 */
export function parseKeyValueFile(text: string, fileLabel: string): Array<[string, string]> {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq > 0 && (heredoc < 0 || eq < heredoc)) {
      pairs.push([line.slice(0, eq), line.slice(eq + 1)]);
      continue;
    }
    if (heredoc > 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (delimiter === '') throw invalid(fileLabel, i, `empty delimiter for ${name}`);
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && lines[j] !== delimiter) body.push(lines[j++]!);
      if (j >= lines.length) throw invalid(fileLabel, i, `matching delimiter '${delimiter}' not found for ${name}`);
      pairs.push([name, body.join('\n')]);
      i = j;
      continue;
    }
    throw invalid(fileLabel, i, `expected NAME=value or NAME<<DELIMITER, got '${line.slice(0, 80)}'`);
  }
  return pairs;
}

/** Parses `$GITHUB_PATH`: one directory per line, blank lines ignored. */
export function parsePathFile(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\r$/, '').trim())
    .filter((l) => l !== '');
}

function invalid(fileLabel: string, lineIndex: number, message: string): CairnError {
  return new CairnError('INVALID_INPUT', `${fileLabel} line ${lineIndex + 1}: ${message}`, { file: fileLabel, line: lineIndex + 1 });
}
