/**
 * The typed confirmation of an operator command that cannot be undone (a discard, a rebuild): the
 * question on a terminal, true only when the answer is the word asked for. Not a terminal: false (the
 * command then asks for --yes).
 */
import { createInterface } from "node:readline/promises";

export async function confirmTyped(question: string, word: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} Type "${word}" to confirm: `);
    return answer.trim() === word;
  } finally {
    rl.close();
  }
}
