/**
 * Rotation of the stack's database logins (the DMS source user's and the producer user's secrets), as
 * Secrets Manager drives a rotation function: four steps, each called until it succeeds, each safe to run
 * again. Single-user strategy: the login keeps its name and gets a new password, set by the cluster's
 * master user (the logins cannot change their own).
 * - createSecret: a new password, stored as the version the token names, labelled AWSPENDING;
 * - setSecret: the login's password in the database becomes the pending one;
 * - testSecret: the login signs in with it;
 * - finishSecret: the pending version becomes AWSCURRENT (the old one AWSPREVIOUS).
 * Between setSecret and finishSecret a new connection made with AWSCURRENT is refused: DMS and RDS Proxy
 * keep the connections they have (PostgreSQL does not end sessions on a password change) and read the
 * secret again when they connect anew, which a retry does once the rotation finished (seconds).
 *
 * Only the secrets the function is configured with are rotated, and each only for the login it names:
 * a secret whose user name is another one (the master's, say) is refused, not changed.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type pg from "pg";
import { z } from "zod";
import { PipelineError } from "../../shared/errors";
import { type LoginSecret, readLoginSecret } from "../../shared/login-secret";
import { setRolePassword } from "../../shared/role-password";
import { issueLines } from "../../shared/zod-issues";

export class RotationError extends PipelineError {
  override name = "RotationError";
}

export type Login = { user: string; password: string };

/** What the function reads and writes of Secrets Manager. */
export type SecretStore = {
  /** Whether rotation is on, and each version's staging labels. */
  describe(secretId: string): Promise<{ rotationEnabled: boolean; versions: Record<string, string[]> }>;
  /** A version's text by label, or by id and label; undefined when there is none. */
  value(secretId: string, stage: string, versionId?: string): Promise<string | undefined>;
  /** Stores the text as the version `versionId`, labelled AWSPENDING (again with the same text: a no-op). */
  putPending(secretId: string, versionId: string, text: string): Promise<void>;
  /** Moves AWSCURRENT from one version to another (the one it leaves becomes AWSPREVIOUS). */
  makeCurrent(secretId: string, versionId: string, fromVersionId: string): Promise<void>;
  randomPassword(): Promise<string>;
};

export type RotationDeps = {
  store: SecretStore;
  /** The secrets this function rotates, each with the login it must name. */
  logins: ReadonlyMap<string, string>;
  /** The secret of the cluster's master login (which sets a password), read at its AWSCURRENT version. */
  masterSecretArn: string;
  /** A connected client for the login (TLS verified in AWS). */
  connect: (login: Login) => Promise<pg.Client>;
  logger: Pick<Logger, "info" | "warn">;
};

const rotationEvent = z.object({
  Step: z.enum(["createSecret", "setSecret", "testSecret", "finishSecret"]),
  SecretId: z.string().min(1),
  ClientRequestToken: z.string().min(32).max(64),
});
export type RotationEvent = z.infer<typeof rotationEvent>;

/** A secret's login (shared/login-secret.ts), or a RotationError that says what is wrong with it. */
function readLogin(text: string | undefined, what: string): LoginSecret {
  const read = readLoginSecret(text, what);
  if (!read.ok) throw new RotationError(read.code, read.reason);
  return read.login;
}

export function createRotationHandler(deps: RotationDeps) {
  const { store, logger } = deps;

  /** The login the secret must name; refuses a secret this function is not for. */
  const loginOf = (secretId: string): string => {
    const user = deps.logins.get(secretId);
    if (user === undefined)
      throw new RotationError("secret_not_rotated_here", `${secretId} is not a secret this function rotates`);
    return user;
  };

  /** The pending version's login, which must name the configured user (as the current one does). */
  const pendingLogin = async (secretId: string, token: string, user: string): Promise<Login> => {
    const pending = readLogin(
      await store.value(secretId, "AWSPENDING", token),
      `the pending version ${token}`,
    );
    if (pending.username !== user)
      throw new RotationError(
        "wrong_user",
        `the pending version names the user ${pending.username}; this secret is ${user}'s`,
      );
    return { user, password: pending.password };
  };

  const canSignIn = async (login: Login): Promise<boolean> => {
    let client: pg.Client | undefined;
    try {
      client = await deps.connect(login);
      await client.query("SELECT 1");
      return true;
    } catch {
      return false;
    } finally {
      await client?.end().catch(() => undefined);
    }
  };

  const steps = {
    async createSecret(secretId: string, token: string, user: string): Promise<void> {
      const current = readLogin(await store.value(secretId, "AWSCURRENT"), "the current version");
      if (current.username !== user)
        throw new RotationError(
          "wrong_user",
          `the current version names the user ${current.username}; this secret is ${user}'s`,
        );
      if ((await store.value(secretId, "AWSPENDING", token)) !== undefined) return; // made by an earlier try
      const text = JSON.stringify({ ...current, password: await store.randomPassword() });
      await store.putPending(secretId, token, text);
      logger.info("new password stored as the pending version", { secretId, versionId: token });
    },

    async setSecret(secretId: string, token: string, user: string): Promise<void> {
      const pending = await pendingLogin(secretId, token, user);
      if (await canSignIn(pending)) return; // set by an earlier try
      const login = readLogin(await store.value(deps.masterSecretArn, "AWSCURRENT"), "the master secret");
      const master = await deps.connect({ user: login.username, password: login.password });
      try {
        await master.query("BEGIN");
        await setRolePassword(master, user, pending.password);
        await master.query("COMMIT");
      } catch (error) {
        await master.query("ROLLBACK").catch(() => undefined);
        throw new RotationError("set_failed", `could not set ${user}'s password`, { cause: error });
      } finally {
        await master.end().catch(() => undefined);
      }
      logger.info("password set in the database", { secretId, user });
    },

    async testSecret(secretId: string, token: string, user: string): Promise<void> {
      const pending = await pendingLogin(secretId, token, user);
      if (!(await canSignIn(pending)))
        throw new RotationError("test_failed", `${user} cannot sign in with the pending password`);
    },

    async finishSecret(secretId: string, token: string, versions: Record<string, string[]>): Promise<void> {
      const current = Object.keys(versions).find((id) => versions[id]?.includes("AWSCURRENT"));
      if (current === token) return; // finished by an earlier try
      if (current === undefined)
        throw new RotationError("no_current_version", `${secretId} has no AWSCURRENT version`);
      await store.makeCurrent(secretId, token, current);
      logger.info("pending version is now current", { secretId, versionId: token });
    },
  };

  return async (input: unknown): Promise<void> => {
    const parsed = rotationEvent.safeParse(input);
    if (!parsed.success)
      throw new RotationError(
        "invalid_event",
        `not a rotation event: ${issueLines(parsed.error).join("; ")}`,
      );
    const { Step: step, SecretId: secretId, ClientRequestToken: token } = parsed.data;
    const user = loginOf(secretId);
    const { rotationEnabled, versions } = await store.describe(secretId);
    if (!rotationEnabled) throw new RotationError("rotation_disabled", `${secretId} has rotation turned off`);
    const stages = versions[token];
    if (!stages) throw new RotationError("unknown_version", `version ${token} of ${secretId} is not staged`);
    if (stages.includes("AWSCURRENT")) {
      logger.info("version is already current", { secretId, versionId: token, step });
      return;
    }
    if (!stages.includes("AWSPENDING"))
      throw new RotationError("not_pending", `version ${token} of ${secretId} is not AWSPENDING`);
    logger.info("rotation step", { secretId, versionId: token, step });
    if (step === "finishSecret") await steps.finishSecret(secretId, token, versions);
    else await steps[step](secretId, token, user);
  };
}
