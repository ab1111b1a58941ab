/** Typed errors shared by every function. Each carries a stable `code` and, where it wraps one, a `cause`. */
export class PipelineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Invalid configuration found at cold start: the function must not start. */
export class ConfigError extends PipelineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("config_invalid", message, options);
  }
}

/** A record that can never be indexed as it is: it goes to the dead-letter queue with this reason. */
export class PermanentRecordError extends PipelineError {}
