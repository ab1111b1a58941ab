/** A database login's secret: username and password, other fields kept; what is wrong said with the secret's name. */
import { describe, expect, it } from "vitest";
import { readLoginSecret } from "../../shared/login-secret";

describe("readLoginSecret", () => {
  it("reads the login and keeps the other fields RDS writes", () => {
    expect(
      readLoginSecret(
        '{"username":"dms_user","password":"p","engine":"postgres","port":5432}',
        "the secret s",
      ),
    ).toEqual({ ok: true, login: { username: "dms_user", password: "p", engine: "postgres", port: 5432 } });
  });

  it.each([
    [undefined, "secret_missing", "the secret s has no value"],
    ["not json", "secret_invalid", "the secret s is not JSON"],
    [
      '{"username":"u"}',
      "secret_invalid",
      "the secret s: password: Invalid input: expected string, received undefined",
    ],
    [
      '{"username":"","password":"p"}',
      "secret_invalid",
      "the secret s: username: Too small: expected string to have >=1 characters",
    ],
    ["[1]", "secret_invalid", "the secret s: (root): Invalid input: expected object, received array"],
  ] as const)("says what is wrong with %j", (text, code, reason) => {
    expect(readLoginSecret(text, "the secret s")).toEqual({ ok: false, code, reason });
  });
});
