import { CairnError } from '../util/errors.js';

/** How to run a `run:` script: the command template (with `{0}` for the script file) and the file's extension. */
export interface ShellCommand {
  /** argv, one element holding `{0}` somewhere. */
  argv: string[];
  extension: string;
  /** The name shown in logs: `bash`, `python`, or the custom template. */
  label: string;
}

/**
 * The shells GitHub Actions defines for Linux runners, plus ruby and node. `bash` written
 * out gets `-o pipefail`; a job that names no shell at all gets plain `bash -e` (GitHub's
 * documented difference).
 */
const builtIn: Record<string, ShellCommand> = {
  bash: { argv: ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '{0}'], extension: '.sh', label: 'bash' },
  sh: { argv: ['sh', '-e', '{0}'], extension: '.sh', label: 'sh' },
  python: { argv: ['python3', '{0}'], extension: '.py', label: 'python' },
  ruby: { argv: ['ruby', '{0}'], extension: '.rb', label: 'ruby' },
  node: { argv: ['node', '{0}'], extension: '.js', label: 'node' },
  pwsh: { argv: ['pwsh', '-command', ". '{0}'"], extension: '.ps1', label: 'pwsh' },
};

const defaultShell: ShellCommand = { argv: ['bash', '-e', '{0}'], extension: '.sh', label: 'bash' };

/** Names accepted as `shell:` without a `{0}` template. */
export const builtInShells: readonly string[] = Object.keys(builtIn);

/**
 * Resolves a step's `shell:` (already defaulted from `defaults.run`). `undefined` is the
 * default shell. A custom template must contain `{0}`; it is split on whitespace, as
 * GitHub's runner does. Anything else is an operating error the CLI reports before running.
 */
export function resolveShell(shell: string | undefined): ShellCommand {
  if (shell === undefined || shell === '') return defaultShell;
  const known = builtIn[shell];
  if (known) return known;
  if (shell.includes('{0}')) {
    const argv = shell.trim().split(/\s+/);
    return { argv, extension: '', label: shell };
  }
  throw new CairnError('INVALID_INPUT', `unknown shell '${shell}': use one of ${builtInShells.join(', ')}, or a command template containing {0}`, {
    shell,
  });
}

/** The argv that runs `scriptFile` with this shell. */
export function shellArgv(cmd: ShellCommand, scriptFile: string): string[] {
  return cmd.argv.map((a) => a.replaceAll('{0}', scriptFile));
}
