import type { z } from "zod";

/** One `path: message` line per zod issue (`(root)` for the top level), for errors people read. */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
}
