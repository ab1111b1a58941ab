/**
 * A folder for the bundles a bench builds, inside node_modules so that their packages resolve as on
 * Lambda (from the layer). A run stopped by Ctrl-C or kill -9 cannot clean up: the next one removes what
 * earlier runs left under the same prefix first.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

export function freshBuildDir(prefix: string): string {
  const parent = resolve("node_modules");
  for (const name of readdirSync(parent))
    if (name.startsWith(`.${prefix}-`)) rmSync(join(parent, name), { recursive: true, force: true });
  return mkdtempSync(join(parent, `.${prefix}-`));
}
