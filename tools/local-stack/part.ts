/**
 * What every part of the local stack returns once started: where it listens and how to stop it. Adding a
 * part is one file that returns this and one line in stack.ts.
 */
export type RunningPart = {
  /** Base URL (or connection string) clients use. */
  url: string;
  /** Stops the part; resolves once it is down. Safe to call once the part has already stopped. */
  stop(): Promise<void>;
};
