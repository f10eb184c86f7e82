/**
 * Limits of the chat bot, each with the reason for its value. Adapters may pass tighter or
 * looser values (tests speed the clocks up), but every queue and loop here has one.
 */

/**
 * Lines the bot may send back to back. RFC 1459 servers (ircd2, hybrid, ngircd) charge about
 * two seconds a line and disconnect a client that gets ten seconds ahead: five lines. Four
 * keeps one in hand for PONGs and JOINs.
 */
export const sendBurstLines = 4;

/** One more line every this long once the burst is spent: the two-second charge above. */
export const sendRefillMs = 2_000;

/** Lines waiting to be said; past it new lines are dropped, so a stuck server cannot grow memory. */
export const outboxLinesMax = 200;

/**
 * Bytes of text in one line. An IRC line is 512 bytes including `:nick!user@host PRIVMSG
 * #chan :` and CRLF; irc-framework splits anything above 350 itself, which would escape
 * the rate limit, so lines are cut here first.
 */
export const lineBytesMax = 350;

/** Lines in one reply; longer output ends with a "… N more" line. */
export const replyLinesMax = 6;

/** Lines of log shown by `!logs` (one reply: a header and these): enough to see an error. */
export const logTailLinesMax = replyLinesMax - 1;

/** Bytes `!logs` reads before giving up on reaching the end (the log stream has no tail). */
export const logScanBytesMax = 16 * 1024 * 1024;

/** Time `!logs` may spend reading a log. */
export const logScanMsMax = 5_000;

/** Commands one user may run back to back, then one per `userCommandRefillMs`. */
export const userCommandBurst = 3;

/** One more command per user this often; a person never types faster, a loop does. */
export const userCommandRefillMs = 4_000;

/** Users whose command budget is remembered; the oldest is forgotten past it. */
export const userBucketsMax = 1_000;

/** Commands being run at once (each may wait on the cluster); past it users hear "busy". */
export const commandsInFlightMax = 8;

/** How often the polling event source asks the cluster for jobs. */
export const eventPollMs = 2_000;

/** History records read once at start, to know which builds were already broken. */
export const historySeedLimit = 200;

/** Jobs (and runs) the poller remembers between polls; the oldest are forgotten past it. */
export const knownJobsMax = 5_000;

/** Pipelines whose last outcome is remembered, to say "fixed". */
export const outcomesMax = 2_000;

/** Jobs that left the listing unfinished and are looked up one by one, per poll. */
export const vanishedLookupsMax = 20;

/** Runs started from chat whose end is announced to who started them. */
export const watchedRunsMax = 500;

/** Per request to the cluster: a dead node must not hold a command for long. */
export const clusterRequestMs = 5_000;

/** How long a command waits for a leader (an election, a node restarting) before giving up. */
export const leaderWaitMsMax = 15_000;

/** First pause between rounds over the known nodes; doubled up to `leaderRetryMsMax`. */
export const leaderRetryMsMin = 200;
export const leaderRetryMsMax = 2_000;

/** Cluster API endpoints remembered (given ones plus ones learned from the cluster view). */
export const endpointsMax = 32;

/** First pause before resubscribing to `/v1/events` after a drop; doubled up to the max. */
export const streamRetryMsMin = 100;
export const streamRetryMsMax = 5_000;

/**
 * A finished-job event can reach us before the node we read from has applied it: the job's
 * row is read again this many times, `eventLookupRetryMs` apart, before the event is dropped.
 */
export const eventLookupTries = 5;
export const eventLookupRetryMs = 200;
