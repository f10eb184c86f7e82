import { describe, expect, it } from 'vitest';
import { parseCommand, splitWords } from '../../src/repl-client/index.js';

describe('parseCommand', () => {
  it.each([
    ['nodes', { name: 'nodes' }],
    ['  JOBS ', { name: 'jobs' }],
    ['submit ci.yml', { name: 'submit', target: 'ci.yml' }],
    ['submit "my ci.yml"', { name: 'submit', target: 'my ci.yml' }],
    ['logs 7.2', { name: 'logs', job: '7.2', follow: false }],
    ['logs -f 7.2', { name: 'logs', job: '7.2', follow: true }],
    ['logs 7.2 --follow', { name: 'logs', job: '7.2', follow: true }],
    ['status 7', { name: 'status', job: '7' }],
    ['why 7.1', { name: 'why', job: '7.1' }],
    ['cancel 7.1', { name: 'cancel', job: '7.1' }],
    ['retry 7.1', { name: 'retry', job: '7.1' }],
    ['history', { name: 'history', limit: 20 }],
    ['history 5', { name: 'history', limit: 5 }],
    ['labels a +gpu -maven +os=linux', { name: 'labels', node: 'a', add: ['gpu', 'os=linux'], remove: ['maven'] }],
    ['leader', { name: 'leader' }],
    ['help', { name: 'help' }],
    ['?', { name: 'help' }],
    ['quit', { name: 'quit' }],
    ['exit', { name: 'quit' }],
  ])('%s', (line, command) => {
    expect(parseCommand(line)).toEqual({ ok: true, command });
  });

  it.each([
    ['frob', 'unknown command "frob": type help for the list'],
    ['nodes x', 'usage: nodes'],
    ['submit', 'usage: submit <file|name>'],
    ['logs', 'usage: logs <job> [-f]'],
    ['logs a b', 'usage: logs <job> [-f]'],
    ['status a/b', '"a/b" is not a job id'],
    ['history 0', 'usage: history [n], n from 1 to 500'],
    ['history x', 'usage: history [n], n from 1 to 500'],
    ['labels a', 'usage: labels <node> +x -y'],
    ['labels a gpu', '"gpu": write +label to add or -label to remove (usage: labels <node> +x -y)'],
    ['labels a +', '"+": write +label to add or -label to remove (usage: labels <node> +x -y)'],
  ])('refuses %s', (line, message) => {
    expect(parseCommand(line)).toEqual({ ok: false, message });
  });

  it('treats a blank line as nothing to do', () => {
    expect(parseCommand('   ')).toEqual({ ok: 'empty' });
  });

  it('splits words with quotes', () => {
    expect(splitWords(`a "b c" 'd e' f`)).toEqual(['a', 'b c', 'd e', 'f']);
  });
});
