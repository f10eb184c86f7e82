import { describe, expect, it } from 'vitest';
import { parseCommand, type Parsed } from '../../src/chat/index.js';

const fold = (s: string) => s.toLowerCase();
const inChannel = { selfName: 'cairnbot', direct: false, fold };
const direct = { selfName: 'cairnbot', direct: true, fold };

describe('parseCommand', () => {
  const table: Array<[string, typeof inChannel, Parsed]> = [
    ['!build ci', inChannel, { kind: 'command', name: 'build', args: ['ci'] }],
    ['!build ci feature/x-1', inChannel, { kind: 'command', name: 'build', args: ['ci', 'feature/x-1'] }],
    ['  !BUILD   ci   v1.2.3  ', inChannel, { kind: 'command', name: 'build', args: ['ci', 'v1.2.3'] }],
    ['!status', inChannel, { kind: 'command', name: 'status', args: [] }],
    ['!status 7.2', inChannel, { kind: 'command', name: 'status', args: ['7.2'] }],
    ['!logs 7.1', inChannel, { kind: 'command', name: 'logs', args: ['7.1'] }],
    ['!cancel 7', inChannel, { kind: 'command', name: 'cancel', args: ['7'] }],
    ['!retry 7.1', inChannel, { kind: 'command', name: 'retry', args: ['7.1'] }],
    ['!nodes', inChannel, { kind: 'command', name: 'nodes', args: [] }],
    ['!why 7.3', inChannel, { kind: 'command', name: 'why', args: ['7.3'] }],
    ['!help', inChannel, { kind: 'command', name: 'help', args: [] }],
    ['!help !build', inChannel, { kind: 'command', name: 'help', args: ['!build'] }],
    ['cairnbot: status 7', inChannel, { kind: 'command', name: 'status', args: ['7'] }],
    ['CairnBot, nodes', inChannel, { kind: 'command', name: 'nodes', args: [] }],
    ['status 7', direct, { kind: 'command', name: 'status', args: ['7'] }],
    ['!status 7', direct, { kind: 'command', name: 'status', args: ['7'] }],
    // Not for the bot: plain talk, other bots' commands, other people addressed.
    ['the build is red again', inChannel, { kind: 'ignore' }],
    ['!seen bob', inChannel, { kind: 'ignore' }],
    ['bob: status 7', inChannel, { kind: 'ignore' }],
    ['', inChannel, { kind: 'ignore' }],
    ['!' + 'x'.repeat(500), inChannel, { kind: 'ignore' }],
    // For the bot, but wrong: a short answer.
    ['cairnbot: dance', inChannel, { kind: 'error', message: 'no command "dance"; say !help for the commands' }],
    ['dance', direct, { kind: 'error', message: 'no command "dance"; say !help for the commands' }],
    ['cairnbot:', inChannel, { kind: 'error', message: 'say !help for the commands' }],
    ['!build', inChannel, { kind: 'error', message: 'usage: !build <pipeline> [ref]' }],
    ['!build a b c', inChannel, { kind: 'error', message: 'usage: !build <pipeline> [ref]' }],
    ['!logs', inChannel, { kind: 'error', message: 'usage: !logs <job>' }],
    ['!nodes all', inChannel, { kind: 'error', message: 'usage: !nodes' }],
    ['!cancel ../etc', inChannel, { kind: 'error', message: '"../etc" is not a job id like 7 or 7.2; usage: !cancel <job>' }],
    ['!build ci --upload-pack=x', inChannel, { kind: 'error', message: '"--upload-pack=x" is not a branch, tag or commit; usage: !build <pipeline> [ref]' }],
    ['!build -x', inChannel, { kind: 'error', message: '"-x" is not a registered pipeline name; usage: !build <pipeline> [ref]' }],
  ];
  it.each(table)('%j', (text, ctx, expected) => {
    expect(parseCommand(text, ctx)).toEqual(expected);
  });

  it('follows the bot when its nick changes', () => {
    expect(parseCommand('cairnbo_1: nodes', { ...inChannel, selfName: 'cairnbo_1' })).toEqual({ kind: 'command', name: 'nodes', args: [] });
    expect(parseCommand('cairnbot: nodes', { ...inChannel, selfName: 'cairnbo_1' })).toEqual({ kind: 'ignore' });
  });
});
