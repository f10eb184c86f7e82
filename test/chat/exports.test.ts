import { describe, expect, it } from 'vitest';
import * as chat from '../../src/chat/index.js';
import * as chatIrc from '../../src/chat-irc/index.js';

/** The front doors' runtime exports, pinned: a change here is a change to what others use. */
describe('public surface', () => {
  it('src/chat', () => {
    expect(Object.keys(chat).sort()).toEqual([
      'KeyedBuckets', 'TokenBucket', 'commandNames', 'commandSpecs', 'createAuthorizer', 'createChatBot', 'createClusterAccess',
      'createCommitterLookup', 'createOutbox', 'createPollEventSource', 'createStreamEventSource', 'defaultChatLimits', 'parseCommand', 'systemTimers', 'usageOf',
    ]);
  });
  it('src/chat-irc', () => {
    expect(Object.keys(chatIrc).sort()).toEqual(['createIrcAdapter', 'parseServer', 'runIrcBot', 'startIrcBot', 'stderrLog']);
  });
  it('parses --server forms', () => {
    expect(chatIrc.parseServer('irc.example.org:6697')).toEqual({ host: 'irc.example.org', port: 6697 });
    expect(chatIrc.parseServer('[::1]:7000')).toEqual({ host: '::1', port: 7000 });
    expect(chatIrc.parseServer('localhost')).toEqual({ host: 'localhost', port: 6667 });
    expect(() => chatIrc.parseServer('a:b:c')).toThrow(/--server/);
    expect(() => chatIrc.parseServer('host:70000')).toThrow(/--server/);
  });
});
