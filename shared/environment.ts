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
  const issues = issueLines(parsed.error)
    .map((line) => `  - ${line}`)
    .join("\n");
  throw new ConfigError(`${what} environment is invalid:\n${issues}`);
}
