/**
 * Lines rewritten in place on a terminal (`\r`, then clear the line): the local stack's status line and
 * the operator commands' progress lines.
 */

/**
 * Whether `stream` is a terminal that takes those controls. Not with `TERM=dumb` (Emacs' shell, a CI
 * log behind a pty): it shows them as text (`^[[2K`) and keeps every rewrite; those get plain lines.
 */
export function rewritesLines(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.TERM !== "dumb";
}

/**
 * A rewritten line cut to the terminal's width, one column spare (some terminals wrap at the last one).
 * A wider line wraps, and the next rewrite, which clears only the cursor's line, leaves the first part
 * behind: a narrow terminal (80 columns) fills up with copies of it.
 */
export function fitWidth(line: string, columns: number | undefined): string {
  if (!columns || columns < 2) return line;
  const chars = [...line];
  return chars.length < columns ? line : `${chars.slice(0, columns - 2).join("")}…`;
}
