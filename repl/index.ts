/**
 * Front door of the ink REPL: `runRepl` for the CLI, and the screen and components, which
 * render the view model of src/repl-client and nothing else.
 */
export { runRepl, type RunReplInit } from './run-repl.js';
export { runPlainRepl, type PlainReplInit } from './plain-repl.js';
export { recordTranscript } from './transcript.js';
export { ReplApp } from './app.js';
export { ReplScreen, type ReplScreenProps } from './components/repl-screen.js';
export { HeaderBar, headerRows } from './components/header-bar.js';
export { JobTable, jobTableRows } from './components/job-table.js';
export { JobSteps, jobStepRows } from './components/job-steps.js';
export { LogTail, logTailRows } from './components/log-tail.js';
export { EventFeed, eventRows } from './components/event-feed.js';
export { OutputView, outputRows } from './components/output-view.js';
export { PromptLine, promptRows, promptText } from './components/prompt-line.js';
export { planLayout, stepFollows, type Layout, type Heights } from './layout.js';
export { toKeyInputs, splitTyped } from './keys.js';
export { createTheme, type Theme, type Paint } from './theme.js';
