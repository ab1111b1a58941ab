/** Reads samconfig.toml the way the SAM CLI does for one config environment and command. */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "smol-toml";

type Section = Record<string, unknown>;

/** Splits `K=V K2="a b"` (and `ParameterKey=K,ParameterValue=V`) into a record. */
export function parseParameterOverrides(text: string | string[] | undefined): Record<string, string> {
  if (!text) return {};
  const tokens = Array.isArray(text) ? text : (text.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []);
  const out: Record<string, string> = {};
  for (const token of tokens) {
    const long = /^ParameterKey=([^,]+),ParameterValue=(.*)$/.exec(token);
    const [key, value] = long
      ? [long[1], long[2]]
      : [token.slice(0, token.indexOf("=")), token.slice(token.indexOf("=") + 1)];
    if (!key || !token.includes("="))
      throw new Error(`bad parameter override "${token}": expected Key=Value`);
    out[key] = (value ?? "").replace(/^(["'])(.*)\1$/, "$2");
  }
  return out;
}

export function readSamConfig(path: string, env: string, command: string): Section {
  if (!existsSync(path)) return {};
  const doc = parse(readFileSync(path, "utf8")) as Record<string, Record<string, { parameters?: Section }>>;
  const section = doc[env];
  if (!section) {
    if (env === "default") return {};
    throw new Error(`samconfig.toml has no [${env}] environment`);
  }
  return { ...(section.global?.parameters ?? {}), ...(section[command]?.parameters ?? {}) };
}
