/**
 * A command whose reader goes away (`npm run verify | head`, a pager quit early) stops the way a Unix
 * command stops on SIGPIPE: at once, quietly, exit status 141 (128 + SIGPIPE). Node ignores SIGPIPE, so
 * a write to such a pipe fails with EPIPE instead, emitted as an error event that, unhandled, ends the
 * process with a stack trace and status 1. `npm start` does not use this: its terminal stops showing
 * lines and goes on stopping every part (tools/local-stack/terminal.ts).
 */
type ErrorSource = { on: (event: "error", listener: (error: NodeJS.ErrnoException) => void) => unknown };

export const CLOSED_PIPE_EXIT_CODE = 141;

export function exitOnClosedPipe(
  streams: ErrorSource[] = [process.stdout, process.stderr],
  exit: (code: number) => void = process.exit,
): void {
  for (const stream of streams)
    stream.on("error", (error) => {
      if (error.code !== "EPIPE") throw error; // as if unhandled
      exit(CLOSED_PIPE_EXIT_CODE);
    });
}
