import { Box, Text } from 'ink';

/**
 * Rows of prepared text, one terminal line each, cut (never wrapped) at the box's width, so a
 * region's height is exactly its number of rows: the layout depends on it.
 */
export function Rows({ rows, width }: { rows: readonly string[]; width: number }) {
  return (
    <Box flexDirection="column" width={width}>
      {rows.map((r, i) => (
        <Text key={i} wrap="truncate-end">
          {r === '' ? ' ' : r}
        </Text>
      ))}
    </Box>
  );
}

/** A region's title rule: "─ jobs (3) ───────". */
export function titleRow(title: string, width: number, paint: (s: string) => string): string {
  const head = `─ ${title} `;
  return paint(head + '─'.repeat(Math.max(0, width - head.length)));
}
