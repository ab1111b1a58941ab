import type { z } from "zod";

type Issue = z.core.$ZodIssue;

/**
 * Whether a union's branch is the one the input was meant for: nothing at the branch's own level says
 * otherwise (not the wrong kind of value, no unknown key, no missing key).
 */
function fits(issues: Issue[]): boolean {
  return !issues.some(
    (i) =>
      (i.path.length === 0 && (i.code === "unrecognized_keys" || i.code === "invalid_type")) ||
      (i.path.length === 1 && i.code === "invalid_type" && /received undefined$/.test(i.message)),
  );
}

/**
 * An issue as lines: a union that failed (zod says only "Invalid input") is explained by the branch the
 * input was meant for, when one fits, and otherwise by the union's own message.
 */
function explain(issue: Issue, prefix: PropertyKey[]): { path: PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union") {
    const meant = issue.errors.filter(fits).sort((a, b) => a.length - b.length)[0];
    if (meant) return meant.flatMap((i) => explain(i, path));
  }
  return [{ path, message: issue.message }];
}

/**
 * One `path: message` line per zod issue (`(root)` for the top level), for errors people read;
 * `message` may word an issue in the caller's terms (undefined keeps zod's).
 */
export function issueLines(error: z.ZodError, message?: (issue: Issue) => string | undefined): string[] {
  return error.issues
    .flatMap((i) => {
      const own = message?.(i);
      return own === undefined ? explain(i, []) : [{ path: i.path, message: own }];
    })
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`);
}
