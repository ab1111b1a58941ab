/**
 * A copy of this project in a folder whose path has a space and a non-ASCII letter (as a person's
 * `~/My Projects/søk` has), its node_modules linked: the commands run from it exactly as from a clone
 * there. Removed by the returned function.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");
/** What a clone does not have, or what is linked instead of copied. */
const LEFT_OUT = new Set(["node_modules", ".git", "coverage", ".prof"]);

export function projectCopy(): { dir: string; remove: () => void } {
  const parent = mkdtempSync(join(tmpdir(), "cdc-copy-"));
  const dir = join(parent, "my prøject");
  for (const entry of readdirSync(ROOT))
    if (!LEFT_OUT.has(entry) && !entry.startsWith(".local"))
      cpSync(join(ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
