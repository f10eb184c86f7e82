/** Limits of the IRC adapter, each with its reason. */

/** First wait before reconnecting: a restarting ircd is usually back within a second. */
export const reconnectMsMin = 1_000;
/** Longest wait between reconnects: a long outage costs one attempt a minute, no more. */
export const reconnectMsMax = 60_000;
/** Wait before rejoining after a kick or a refused JOIN, so a ban does not become a JOIN flood. */
export const rejoinMs = 10_000;
/** A WHOX account lookup that takes longer counts as "not logged in" (the safe answer). */
export const whoTimeoutMs = 5_000;
/** Time to say QUIT and see the connection close before giving up on a clean exit. */
export const quitWaitMs = 2_000;
/** irc-framework's own keepalive: PING every 30 s, and a server silent for 90 s is dead. */
export const pingIntervalS = 30;
export const pingTimeoutS = 90;
/** The default IRC port when `--server` names none. */
export const ircPortDefault = 6667;
