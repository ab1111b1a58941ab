/**
 * A command's arguments, read the same way by every command of the project: `--help` (`-h`) prints the
 * usage and exits 0; an unknown option, a missing value or an unexpected argument prints what is wrong
 * and the usage on stderr and exits 2. Nothing is ignored silently.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

type Config = Pick<ParseArgsConfig, "options" | "allowPositionals" | "args">;

export function commandArgs<const T extends Config>(
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      ...config,
      options: { ...config.options, help: { type: "boolean", short: "h" } },
      strict: true,
    });
  } catch (error) {
    usageError(usage, (error as Error).message);
  }
  if (parsed.values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed as ReturnType<typeof parseArgs<T>>;
}

/** A bad argument found after parsing (a value out of range): the message and the usage, exit 2. */
export function usageError(usage: string, message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}
