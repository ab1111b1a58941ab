/**
 * One line appended to a journal, whole or not at all. A write the disk refuses part-way (ENOSPC, a
 * quota) leaves a torn line; the next line, appended once space is freed, would be glued to it, and a
 * reader that skips unreadable lines would lose an acknowledged write. The file is cut back to where it
 * was and the error thrown, so the caller answers that write as failed.
 */
import { appendFileSync, statSync, truncateSync } from "node:fs";

export function appendLine(file: string, line: string): void {
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  try {
    appendFileSync(file, `${line}\n`, { mode: 0o600 });
  } catch (error) {
    try {
      truncateSync(file, size);
    } catch {
      // nothing written, or the file is gone: nothing to cut
    }
    throw error;
  }
}
