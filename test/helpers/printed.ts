/**
 * What a handler prints (Powertools' JSON logs and EMF metrics go to stdout and stderr), captured for
 * each test of the file that calls this: its text, its JSON lines, and a way to start over mid-test.
 */
import { afterEach, beforeEach, vi } from "vitest";

export function capturePrinted(): {
  text(): string;
  jsonLines(): Record<string, unknown>[];
  clear(): void;
} {
  const printed: string[] = [];
  beforeEach(() => {
    printed.length = 0;
    const capture = (chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(process.stderr, "write").mockImplementation(capture);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return {
    text: () => printed.join(""),
    jsonLines: () =>
      printed
        .flatMap((chunk) => chunk.split("\n"))
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    clear: () => {
      printed.length = 0;
    },
  };
}
