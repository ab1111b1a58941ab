/**
 * A line rewritten in place on a terminal (`\r`, then clear the line) cut to the terminal's width, one
 * column spare (some terminals wrap at the last one). A wider line wraps, and the next rewrite, which
 * clears only the cursor's line, leaves the first part behind: a narrow terminal (80 columns) fills up
 * with copies of it.
 */
export function fitWidth(line: string, columns: number | undefined): string {
  if (!columns || columns < 2) return line;
  const chars = [...line];
  return chars.length < columns ? line : `${chars.slice(0, columns - 2).join("")}…`;
}
