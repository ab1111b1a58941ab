/** Reads a function's environment through its zod schema once at cold start; every problem in one error. */

import type { z } from "zod";
import { ConfigError } from "./errors";
import { issueLines } from "./zod-issues";

export function parseEnvironment<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  // A variable that is not there at all is said so, not "expected string, received undefined".
  const issues = issueLines(parsed.error, (i) =>
    i.path.length === 1 && i.code === "invalid_type" && env[String(i.path[0])] === undefined
      ? "is not set"
      : undefined,
  )
    .map((line) => `  - ${line}`)
    .join("\n");
  throw new ConfigError(`${what} environment is invalid:\n${issues}`);
}
