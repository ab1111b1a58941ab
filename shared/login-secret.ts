/**
 * A database login's secret in Secrets Manager (as RDS and this stack write them): a JSON object whose
 * `username` and `password` are non-empty strings; other fields (host, port, engine) are kept. One home
 * for the database bootstrap, the password rotation and `npm run verify -- --config-env`.
 */
import { z } from "zod";
import { issueLines } from "./zod-issues";

const loginSecretSchema = z.looseObject({
  username: z.string().min(1),
  password: z.string().min(1),
});
export type LoginSecret = z.infer<typeof loginSecretSchema>;

export type LoginSecretRead =
  | { ok: true; login: LoginSecret }
  | { ok: false; code: "secret_missing" | "secret_invalid"; reason: string };

/** The login in a secret's text, or what is wrong with it, in words that name the secret (`what`). */
export function readLoginSecret(text: string | undefined, what: string): LoginSecretRead {
  if (text === undefined) return { ok: false, code: "secret_missing", reason: `${what} has no value` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: "secret_invalid", reason: `${what} is not JSON` };
  }
  const parsed = loginSecretSchema.safeParse(json);
  if (!parsed.success)
    return { ok: false, code: "secret_invalid", reason: `${what}: ${issueLines(parsed.error).join("; ")}` };
  return { ok: true, login: parsed.data };
}
