/**
 * Typed errors shared by every function. Each carries a stable `code` and, where it wraps one, a `cause`.
 * Every class names itself with a string literal: the deployed bundles are minified, and a name taken
 * from the class (`new.target.name`) would log as `s`.
 */
export class PipelineError extends Error {
  override name = "PipelineError";
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Invalid configuration found at cold start: the function must not start. */
export class ConfigError extends PipelineError {
  override name = "ConfigError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("config_invalid", message, options);
  }
}

/** A record that can never be indexed as it is: it goes to the dead-letter queue with this reason. */
export class PermanentRecordError extends PipelineError {
  override name = "PermanentRecordError";
}
