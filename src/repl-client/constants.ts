/**
 * Limits and intervals of the REPL's client layer, each with the reason for its value.
 * Everything the REPL keeps is bounded: a session left open for days must not grow.
 */

/** How often the cluster view and the job list are polled (the event stream, when there is one, brings events sooner). */
export const clusterPollIntervalMs = 1000;
/** A poll that takes longer marks the node as not answering: reattachment must happen within a few seconds. */
export const pollRequestTimeoutMs = 2000;
/** Commands typed by the user wait longer than polls (a submit may carry a large pipeline). */
export const commandRequestTimeoutMs = 10_000;
/** Pause between two rounds over the member list when no member answers, so a dead cluster is not hammered. */
export const reattachRoundPauseMs = 500;
/** How many times in a row a followed log may fail to resume before the follow is given up. */
export const followResumesMax = 60;
/** Pause before resuming a followed log after its stream broke. */
export const followResumeDelayMs = 250;
/** Members remembered (the API URLs of the nodes seen): more than any real cluster has. */
export const membersMax = 64;
/** Jobs kept in the view model (the newest ones); the table shows what fits. */
export const jobsKeptMax = 200;
/** Log lines kept across all followed jobs; older lines scroll away. */
export const logLinesKeptMax = 1000;
/** A single log line longer than this is cut: a minified bundle on one line must not stall the terminal. */
export const logLineCharsMax = 4000;
/** Bytes a non-follow `logs JOB` reads before it stops (it keeps only the tail anyway). */
export const logReadBytesMax = 8 * 1024 * 1024;
/** Logs followed at once; each is one open HTTP stream. */
export const followsMax = 8;
/** Events kept in the feed. */
export const eventsKeptMax = 200;
/** Output blocks (command results) kept in the transcript. */
export const outputBlocksKeptMax = 50;
/** Notices (reattachment, errors of the connection) kept for the header. */
export const noticesKeptMax = 5;
/** Lines typed, kept for the up and down arrows. */
export const inputHistoryMax = 500;
/** Steps tracked per job: a runaway composite action cannot grow the view without end. */
export const stepsKeptMax = 200;
/** Records `history` asks for. */
export const historyLimitDefault = 20;
/** How often the clock in the view advances while a step runs (spinner and running durations). */
export const spinnerIntervalMs = 250;
/** Pipeline texts remembered for `retry`, by run id. */
export const submittedRememberedMax = 100;
/** First pause before subscribing again to the event stream after it broke; doubled on each failure. */
export const eventResubscribeDelayMinMs = 100;
/** Longest pause between two subscriptions: a node that is down is not hammered, and one that is back is found within seconds. */
export const eventResubscribeDelayMaxMs = 5000;
/** Job names remembered to label streamed events (`job-started` carries only the id): about the jobs the view keeps. */
export const jobNamesRememberedMax = 400;
