import { emptyJob } from './empty-job.js';
import { CairnError } from '../util/errors.js';
import { defaultName } from './parse-pipeline.js';
import type { Pipeline } from './types.js';

/** Interpreters a script pipeline may name, by base name (`python3.12` counts as python). */
const interpreterPattern = /^(bash|sh|dash|python[0-9.]*|ruby[0-9.]*|node|nodejs)$/;

/** Whether a file is a shebang script rather than YAML. */
export function isScriptPipeline(text: string): boolean {
  return text.startsWith('#!');
}

/**
 * Reads the shebang line into the command that runs the script: `#!/bin/bash -e` gives
 * `/bin/bash -e`, `#!/usr/bin/env python3` gives `python3` (and `env -S` splits its string).
 */
function interpreterCommand(text: string, file: string): string {
  const first = text.slice(2, text.includes('\n') ? text.indexOf('\n') : text.length).trim();
  let words = first.split(/\s+/).filter((w) => w !== '');
  if (words[0] !== undefined && baseName(words[0]) === 'env') {
    words = words.slice(1);
    if (words[0] === '-S') words = words.slice(1);
    while (words[0] !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) words = words.slice(1);
  }
  const program = words[0];
  if (program === undefined || !interpreterPattern.test(baseName(program))) {
    throw new CairnError('PIPELINE_INVALID', `${file}:1:3: unsupported interpreter '${first}': a script pipeline runs with bash, sh, python, ruby or node`, {
      file,
      line: 1,
      column: 3,
      errors: [{ file, line: 1, column: 3, message: `unsupported interpreter '${first}'` }],
    });
  }
  return words.join(' ');
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** A job id from a file name: `build.sh` gives `build`, `my script.py` gives `my-script`. */
export function scriptJobId(file: string): string {
  const id = defaultName(file).replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  if (id === '') return 'script';
  return /^[A-Za-z_]/.test(id) ? id : `_${id}`;
}

/**
 * A shebang script as a pipeline of one job with one step. The step runs the whole script
 * with the interpreter and arguments of its shebang line (as `./script` would), not with
 * GitHub's `bash -eo pipefail` wrapper, so it behaves as it does outside cairn.
 */
export function parseScriptPipeline(text: string, file: string): Pipeline {
  const command = interpreterCommand(text, file);
  const id = scriptJobId(file);
  const loc = { file, line: 1, column: 1 };
  return {
    name: defaultName(file),
    file,
    kind: 'script',
    on: { schedule: [] },
    env: {},
    defaults: {},
    jobs: [{
      ...emptyJob(id, loc),
      steps: [{
        index: 0,
        name: `Run ${baseName(file)}`,
        run: text,
        shell: `${command} {0}`,
        with: {},
        env: {},
        continueOnError: false,
        loc,
      }],
    }],
  };
}
