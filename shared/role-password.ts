/**
 * Sets a login role's password without writing it into a statement's text (which the server may log):
 * the role and the password travel as parameters into transaction-local settings, and a DO block builds
 * the ALTER ROLE from them. Runs inside the caller's transaction (the settings end with it). Used by the
 * database bootstrap (the passwords of its secrets) and the secret rotation (a new one).
 */
import type pg from "pg";

export async function setRolePassword(client: pg.ClientBase, role: string, password: string): Promise<void> {
  await client.query(
    "SELECT set_config('cdc_password.role', $1, true), set_config('cdc_password.secret', $2, true)",
    [role, password],
  );
  await client.query(`DO $$ BEGIN
    EXECUTE format('ALTER ROLE %I PASSWORD %L', current_setting('cdc_password.role'), current_setting('cdc_password.secret'));
  END $$`);
}
