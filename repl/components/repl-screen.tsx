import { Box } from 'ink';
import type { ReplState } from '../../src/repl-client/index.js';
import { planLayout } from '../layout.js';
import type { Theme } from '../theme.js';
import { EventFeed } from './event-feed.js';
import { headerRows, HeaderBar } from './header-bar.js';
import { JobSteps } from './job-steps.js';
import { JobTable } from './job-table.js';
import { LogTail } from './log-tail.js';
import { outputRows, OutputView } from './output-view.js';
import { promptRows, PromptLine } from './prompt-line.js';

export interface ReplScreenProps {
  state: ReplState;
  theme: Theme;
  /** The terminal's size: the screen never draws more rows than `height - 1`. */
  width: number;
  height: number;
}

/**
 * The whole REPL screen, from the view model alone: header, jobs, the running jobs' steps, the
 * log tail, events, the last command's answer, and the prompt.
 */
export function ReplScreen({ state, theme, width, height }: ReplScreenProps) {
  const last = state.output[state.output.length - 1];
  const heights = {
    header: headerRows(state.header, theme, width).length,
    prompt: promptRows(state.input, state.busy, theme, width).length,
    output: last === undefined ? 0 : outputRows(last, theme, width).length,
  };
  const layout = planLayout(state, heights, height);
  return (
    <Box flexDirection="column" width={width}>
      <HeaderBar header={state.header} theme={theme} width={width} />
      {layout.jobs > 0 && <JobTable jobs={state.jobs} theme={theme} width={width} maxRows={layout.jobs} />}
      {layout.steps.map((s) => (
        <JobSteps key={s.follow.job} follow={s.follow} theme={theme} width={width} now={state.now} maxRows={s.rows} />
      ))}
      {layout.log > 0 && <LogTail lines={state.log} follows={state.follows} theme={theme} width={width} maxRows={layout.log} />}
      {layout.events > 0 && <EventFeed events={state.events} theme={theme} width={width} maxRows={layout.events} />}
      {last !== undefined && layout.output > 0 && <OutputView block={last} theme={theme} width={width} maxRows={layout.output} />}
      <PromptLine input={state.input} busy={state.busy} theme={theme} width={width} />
    </Box>
  );
}
