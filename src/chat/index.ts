/**
 * Front door of the chat-neutral bot core: commands, authorization, rate limiting, formatting
 * and notifications. A chat network plugs in as a `ChatAdapter` (src/chat-irc for IRC).
 */
export { createChatBot, defaultChatLimits, type ChatBot, type ChatBotInit, type ChatLimits } from './bot.js';
export type { AccountStatus, AdapterEvents, ChatAdapter, ChatLog, IncomingMessage, Timers } from './types.js';
export { systemTimers } from './types.js';
export { createClusterAccess, type ClusterAccess, type ClusterAccessInit } from './cluster-access.js';
export type { ChatEvent, EventSource } from './event-source.js';
export { createPollEventSource, type PollEventSourceInit } from './poll-event-source.js';
export { createStreamEventSource, type StreamEventSourceInit } from './stream-event-source.js';
export { createAuthorizer, type Authorizer, type Decision } from './authorize.js';
export { parseCommand, type Parsed, type ParseContext } from './parse-command.js';
export { commandSpecs, commandNames, usageOf, type CommandName, type CommandSpec } from './command-specs.js';
export { createOutbox, type Outbox, type OutboxInit } from './outbox.js';
export { TokenBucket, KeyedBuckets } from './token-bucket.js';
export { createCommitterLookup } from './committer-lookup.js';
