/**
 * `npm run invoke -- <FunctionLogicalId> -e events/<file>.json [--env-vars env.json]
 *   [--parameter-overrides K=V …] [--config-env <env>] [-t template.yaml]`
 *
 * A Docker-free `sam local invoke`: runs the TypeScript handler in this process with the function's
 * Timeout, MemorySize and Environment from template.yaml, prints the handler's JSON result on stdout,
 * logs on stderr, and exits 1 when the handler throws or times out. A function that writes to the
 * database or the search index uses the shell's settings, else the running local stack's (`npm start`).
 */
import { exitOnClosedPipe } from "../../operator/lib/closed-pipe";
import "../../operator/lib/text-import-hook";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { LOCAL_CREDENTIALS } from "../../operator/lib/local-credentials";
import { readStackFile } from "../../operator/lib/local-stack-file";
import { projectRoot } from "../../operator/lib/project-root";
import { parseParameterOverrides, readSamConfig } from "../../operator/lib/samconfig";
import { parameterTypes, parameterValues, pseudoParameters } from "../lib/cfn-resolve";
import { loadTemplate } from "../lib/cfn-yaml";
import { createLambdaContext, withLambdaTimeout } from "../lib/lambda-context";
import { type LocalFunction, localFunction } from "../lib/sam-function";

exitOnClosedPipe();

type Options = {
  logicalId: string;
  event: string;
  envVars?: string;
  overrides: string[];
  configEnv: string;
  template: string;
  help?: boolean;
};

const USAGE =
  "usage: npm run invoke -- <FunctionLogicalId> -e <event.json|-> [--env-vars env.json] [--parameter-overrides K=V ...] [--config-env env] [-t template.yaml]";

function parseArgs(argv: string[]): Options {
  const opts: Partial<Options> & { overrides: string[] } = {
    overrides: [],
    configEnv: "default",
    template: "template.yaml",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return value;
    };
    if (arg === "-h" || arg === "--help") return { ...opts, help: true } as Options;
    if (arg === "-e" || arg === "--event") opts.event = next();
    else if (arg === "-n" || arg === "--env-vars") opts.envVars = next();
    else if (arg === "--config-env") opts.configEnv = next();
    else if (arg === "-t" || arg === "--template" || arg === "--template-file") opts.template = next();
    else if (arg === "--parameter-overrides") {
      while (argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith("-"))
        opts.overrides.push(argv[++i] as string);
    } else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else if (!opts.logicalId) opts.logicalId = arg;
    else throw new Error(`unexpected argument ${arg}\n${USAGE}`);
  }
  if (!opts.logicalId) throw new Error(USAGE);
  return { event: "-", ...opts } as Options;
}

/**
 * Local values from the running local stack (`npm start`, found through .local/stack.json) for what a
 * function declares and only has once deployed: the database (DATABASE_URL), and for the indexer the
 * stack's OpenSearch, DLQ and index prefix. The shell's values and `--env-vars` come first.
 */
function localStackEnvironment(fn: LocalFunction): Record<string, string> {
  const declares = (key: string) => key in fn.environment && !process.env[key];
  const wanted = ["DATABASE_URL", "OPENSEARCH_ENDPOINT", "DLQ_URL"].filter(declares);
  if (wanted.length === 0) return {};
  const stack = readStackFile();
  if (!stack) return {};
  const values: Record<string, string> = {};
  if (wanted.includes("DATABASE_URL")) values.DATABASE_URL = stack.databaseUrl;
  if (wanted.includes("OPENSEARCH_ENDPOINT")) {
    Object.assign(values, {
      OPENSEARCH_ENDPOINT: stack.opensearchUrl,
      OPENSEARCH_AUTH: "none",
      INDEX_PREFIX: stack.indexPrefix,
    });
    // Routed as the stack routes (its config may be another file than the bundled one).
    if (stack.pipelineConfig && !process.env.PIPELINE_CONFIG) {
      process.env.PIPELINE_CONFIG = stack.pipelineConfig;
      values.PIPELINE_CONFIG = stack.pipelineConfig;
    }
  }
  if (wanted.includes("DLQ_URL")) {
    values.DLQ_URL = stack.dlqUrl;
    // The queue's endpoint and fauxqs's credentials, unless the shell names others.
    if (stack.sqsEndpoint && !process.env.AWS_ENDPOINT_URL_SQS) {
      process.env.AWS_ENDPOINT_URL_SQS = stack.sqsEndpoint;
      process.env.AWS_ACCESS_KEY_ID ??= LOCAL_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY ??= LOCAL_CREDENTIALS.secretAccessKey;
    }
  }
  console.error(`invoke: ${Object.keys(values).join(", ")} from the running local stack (.local/stack.json)`);
  return values;
}

/**
 * `sam local invoke --env-vars`: `Parameters` applies to every function, `<LogicalId>` to one; only
 * declared variables. Local database settings come before the template's values, the file after.
 */
function applyEnvironment(fn: LocalFunction, region: string, envVarsFile?: string): void {
  const file = envVarsFile ? envVarsOf(readJsonFile(envVarsFile, "--env-vars"), envVarsFile) : {};
  const overrides = {
    ...localStackEnvironment(fn),
    ...(file.Parameters ?? {}),
    ...(file[fn.logicalId] ?? {}),
  };
  // With a database URL, the proxy endpoint (known only once deployed) is not needed.
  const viaUrl = Boolean(overrides.DATABASE_URL);
  for (const [key, value] of Object.entries(fn.environment)) {
    if (key in overrides) process.env[key] = String(overrides[key]);
    else if (value !== null) process.env[key] = value;
    else if (key === "DB_HOST" && viaUrl) continue;
    else if (process.env[key] === undefined) {
      console.error(`invoke: ${key} only has a value once deployed; set it with --env-vars or in the shell`);
    }
  }
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    // As Lambda (and sam local) set it: Powertools reports a cold start (cold_start, the ColdStart
    // metric) only in an environment initialised on demand.
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
    _HANDLER: `${fn.handlerFile}.${fn.handlerExport}`,
  });
}

/** A JSON file an option names, or an error naming the option, the file and what is wrong with it. */
function readJsonFile(path: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${option} ${path}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  return parseJson(text, `${option} ${path}`);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not JSON (${(error as Error).message})`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** sam's env-vars shape: an object of objects (Parameters, or a function's logical id, to its variables). */
function envVarsOf(value: unknown, path: string): Record<string, Record<string, unknown>> {
  if (isObject(value) && Object.values(value).every(isObject))
    return value as Record<string, Record<string, unknown>>;
  throw new Error(
    `--env-vars ${path} must be {"Parameters": {...}, "<FunctionLogicalId>": {...}}, as with sam local invoke`,
  );
}

async function readEvent(source: string): Promise<unknown> {
  if (source !== "-") return readJsonFile(source, "-e");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8").trim();
  return text ? parseJson(text, "-e - (the event on stdin)") : {};
}

/** The usage, with the template's functions and the sample events to run them on. */
function help(template: ReturnType<typeof loadTemplate>): string {
  const functions = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === "AWS::Serverless::Function")
    .map(([id]) => id);
  return `${USAGE}
  runs a function of the template on an event, as sam local invoke does, without Docker: its result on
  stdout, its logs on stderr; exit 1 when it throws or times out (README, "Quick start")
  -e, --event <file|->        the event (events/*.json; - reads stdin)
  -n, --env-vars <file>       {"Parameters": {...}, "<FunctionLogicalId>": {...}} as with sam
  --parameter-overrides K=V   template parameters (after samconfig.toml's)
  --config-env <env>          samconfig.toml's environment (default: default)
  -t, --template <file>       another template (default: template.yaml)
functions: ${functions.join(", ")}`;
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const root = projectRoot();
  const template = loadTemplate(resolve(opts.template));
  if (opts.help) {
    process.stdout.write(`${help(template)}\n`);
    return 0;
  }
  const samconfig = readSamConfig(resolve(root, "samconfig.toml"), opts.configEnv, "local_invoke");
  const region = String(samconfig.region ?? process.env.AWS_REGION ?? "us-east-1");
  const ctx = {
    parameters: parameterValues(
      template,
      parseParameterOverrides(samconfig.parameter_overrides as string | undefined),
      parseParameterOverrides(opts.overrides),
    ),
    pseudo: pseudoParameters(region),
    conditions: template.Conditions ?? {},
    parameterTypes: parameterTypes(template),
  };
  const fn = localFunction(template, opts.logicalId, ctx, root);
  applyEnvironment(fn, region, opts.envVars);
  const event = await readEvent(opts.event);

  // Logs go to stderr, the result to stdout, as with `sam local invoke`.
  const writeResult = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

  const mod = (await import(pathToFileURL(fn.handlerFile).href)) as Record<string, unknown>;
  const handler = mod[fn.handlerExport];
  if (typeof handler !== "function") throw new Error(`${fn.handlerFile} does not export ${fn.handlerExport}`);
  const context = createLambdaContext({
    functionName: fn.functionName,
    timeoutSeconds: fn.timeoutSeconds,
    memorySize: fn.memorySize,
    region,
  });
  try {
    const result = await withLambdaTimeout(handler(event, context), fn.timeoutSeconds);
    writeResult(`${JSON.stringify(result ?? null)}\n`);
    return 0;
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    writeResult(`${JSON.stringify({ errorType: err.name, errorMessage: err.message })}\n`);
    console.error(err.stack ?? err.message);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`invoke: ${error instanceof Error ? error.message : error}`);
    process.exit(2);
  },
);
