/**
 * The project's files, as paths from its root: in a clone, git's list (tracked, and new files not
 * ignored); in a copy without `.git` (a downloaded archive), the tree less what .gitignore names. The
 * structure tests read the project through it, so `npm test` runs the same in both.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..", "..");

/** What .gitignore (and a developer's .git/info/exclude: .prof) leaves out, as the walk sees it. */
const IGNORED_DIRS =
  /^(node_modules|\.git|\.aws-sam|coverage|\.prof|\.local(\.wiping-.*)?|layers\/runtime-deps\/nodejs)$/;
const IGNORED_FILES = /(\.log|^env\.local\.json|^\.local\.starting)$/;

function walk(dir: string, root: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = relative(root, join(dir, entry.name));
    if (IGNORED_DIRS.test(path)) continue; // a link to node_modules too
    if (entry.isDirectory()) walk(join(dir, entry.name), root, out);
    else if (!IGNORED_FILES.test(path)) out.push(path);
  }
  return out;
}

export function projectFiles(root = ROOT): string[] {
  const files = existsSync(join(root, ".git"))
    ? execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
        cwd: root,
        encoding: "utf8",
      })
        .split("\n")
        .filter((file) => file && existsSync(join(root, file))) // not one deleted and not yet staged
    : walk(root, root, []);
  return files.sort();
}
