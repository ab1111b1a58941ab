/** `npm start -- --fresh`: the stack's folder deleted so that no part of its old state can outlive a stop midway. */
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * `--fresh`: the folder moved aside in one step, then deleted, so a wipe stopped midway (kill -9) never
 * leaves part of the old state (a stream and an index without their database) for the next start; what
 * such a wipe left aside is deleted by the next start. A folder that cannot be moved (a mount point) is
 * deleted in place.
 */
export function wipe(dir: string): void {
  removeWipeLeftovers(dir);
  if (!existsSync(dir)) return;
  const moved = join(dirname(dir), `${asidePrefix(dir)}${process.pid}`);
  try {
    renameSync(dir, moved);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  rmSync(moved, { recursive: true, force: true });
}

const asidePrefix = (dir: string) => `${basename(dir)}.wiping-`;

/** What a wipe stopped midway left aside (it holds rows): deleted at every start. */
export function removeWipeLeftovers(dir: string): void {
  const parent = dirname(dir);
  for (const name of existsSync(parent) ? readdirSync(parent) : [])
    if (name.startsWith(asidePrefix(dir))) rmSync(join(parent, name), { recursive: true, force: true });
}
