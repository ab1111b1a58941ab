/**
 * Indexer CPU and memory, measured as on Lambda: the indexer bundled as `sam build` bundles it, run in a
 * process of its own with a stand-in OpenSearch in another (standin-server.ts), and timed by that
 * process's CPU time, so the HTTP client's work counts and the stand-in's does not. The naive indexer
 * (with `@opensearch-project/opensearch` doing its HTTP), the floor and the essential work take turns
 * with it in the same process (indexer-cpu-worker.ts).
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { loadTemplate } from "../lib/cfn-yaml";
import { esbuildOptions, type SamBuildProperties } from "../lib/sam-esbuild";
import { freshBuildDir } from "./build-dir";
import { percentile } from "./measure";

const CPU_WORKLOAD = { batches: 40, batchSize: 500 } as const;

/** The indexer's environment as template.yaml sets it, pointing at the stand-in, with no AWS behind it. */
const handlerEnv = (endpoint: string): Record<string, string> => ({
  OPENSEARCH_ENDPOINT: endpoint,
  OPENSEARCH_AUTH: "none",
  DLQ_URL: "http://127.0.0.1:9/000000000000/bench-dlq",
  INDEX_PREFIX: "bench-",
  BULK_MAX_BYTES: "5000000",
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "example",
  STAGE: "bench",
  POWERTOOLS_SERVICE_NAME: "cdc-indexer",
  POWERTOOLS_LOG_LEVEL: "INFO",
  POWERTOOLS_METRICS_NAMESPACE: "CdcPipeline",
});

async function startStandIn(): Promise<{ endpoint: string; process: ChildProcess }> {
  // Its stdin is a pipe from this process: when this process dies (even by kill -9), the pipe closes and
  // the stand-in exits with it.
  const child = spawn(process.execPath, ["--import", "tsx", "tools/bench/standin-server.ts"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const port = await new Promise<string>((done, fail) => {
    child.once("exit", (code) => fail(new Error(`the stand-in OpenSearch exited (${code})`)));
    child.stdout?.once("data", (chunk: Buffer) => done(chunk.toString().trim()));
  });
  return { endpoint: `http://127.0.0.1:${port}`, process: child };
}

/** The largest heap in use (MiB) that a `--trace-gc` line reports before a collection. */
export function heapPeakFromTrace(trace: string): number {
  let peak = 0;
  for (const m of trace.matchAll(/ms: [A-Za-z -]+ (\d+(?:\.\d+)?) \(\d+(?:\.\d+)?\) -> /g))
    peak = Math.max(peak, Number(m[1]));
  return peak;
}

/**
 * The median MiB that survive a young-generation collection (`--trace-gc-nvp` lines): what each scavenge
 * copies, so what it costs. Objects a batch still needs survive; so do young objects that old objects
 * point to, dead or not, until a full collection.
 */
export function scavengeSurvivorsFromTrace(trace: string): number {
  const lines = /^\[\d+:0x[0-9a-f]+(?::\d+)?\] +\d+ ms: .* gc=s .* new_space_survived=(\d+) /gm;
  const survived = [...trace.matchAll(lines)].map((m) => Number(m[1]) / 2 ** 20);
  return survived.length > 0 ? percentile(survived, 50) : Number.NaN;
}

type GcTrace = "gc" | "gc-nvp";

/**
 * Runs the worker; resolves to what it sends and, with `trace`, to V8's report of every collection on
 * its stdout (the handler's own logs there are left for the readers above to skip).
 */
function runWorker<T>(
  worker: string,
  options: Record<string, unknown>,
  env: Record<string, string>,
  trace?: GcTrace,
): Promise<{ result: T; trace: string }> {
  return new Promise((done, fail) => {
    const child = fork(worker, [JSON.stringify(options)], {
      execArgv: trace ? ["--expose-gc", `--trace-${trace}`] : ["--expose-gc"],
      env: { ...process.env, ...env },
      // The handler's logs and EMF metrics go to stdout, as on Lambda; only GC traces are read there.
      stdio: ["ignore", trace ? "pipe" : "ignore", "inherit", "ipc"],
    });
    let traced = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      traced += chunk.toString();
    });
    let result: T | undefined;
    child.on("message", (message) => {
      result = message as T;
    });
    child.on("exit", (code) =>
      result === undefined
        ? fail(new Error(`the bench worker exited (${code})`))
        : done({ result, trace: traced }),
    );
  });
}

/** What the worker reports after handling the 6 MB batch (see indexer-cpu-worker.ts). */
type PeakReading = { peakMiB: number; eventMiB: number; heapMiB: number };

export type IndexerCpu = {
  /** Median CPU milliseconds per 20,000 records, per subject. */
  cpuMs: { handler: number; naive: number; floor: number; essential: number };
  records: number;
  /** Peak resident set (MiB) of a process handling one ~6 MB batch, and of one that only built it. */
  peakMiB: { handler: number; naive: number; none: number };
  /** Peak V8 heap in use (MiB) in the same processes. */
  heapPeakMiB: { handler: number; naive: number; none: number };
  eventMiB: number;
  /** Median MiB surviving each young-generation collection while handling the CPU workload. */
  scavengeSurvivorsMiB: { handler: number; naive: number };
};

export async function measureIndexerCpu(rounds = 15): Promise<IndexerCpu> {
  const dir = freshBuildDir("bench-indexer");
  const standIn = await startStandIn();
  try {
    const props = loadTemplate("template.yaml").Resources.IndexerFunction?.Metadata
      ?.BuildProperties as SamBuildProperties;
    const handlerBundle = join(dir, "indexer.mjs");
    await build({ ...esbuildOptions(props), outfile: handlerBundle });
    const worker = join(dir, "worker.mjs");
    await build({
      entryPoints: ["tools/bench/indexer-cpu-worker.ts"],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node24",
      packages: "external",
      outfile: worker,
      logLevel: "silent",
    });
    const env = handlerEnv(standIn.endpoint);
    const base = { handlerBundle, endpoint: standIn.endpoint, ...CPU_WORKLOAD, rounds };
    const { result: cpu } = await runWorker<Record<"handler" | "naive" | "floor" | "essential", number[]>>(
      worker,
      base,
      env,
    );
    const peaks: Record<string, PeakReading & { heapPeakMiB: number }> = {};
    for (const which of ["none", "handler", "naive"] as const) {
      const run = await runWorker<PeakReading>(worker, { ...base, peak: which }, env, "gc");
      peaks[which] = {
        ...run.result,
        heapPeakMiB: Math.max(heapPeakFromTrace(run.trace), run.result.heapMiB),
      };
    }
    const survivors = async (subject: "handler" | "naive") => {
      const run = await runWorker(worker, { ...base, rounds: 3, only: [subject] }, env, "gc-nvp");
      return scavengeSurvivorsFromTrace(run.trace);
    };
    const scavengeSurvivorsMiB = { handler: await survivors("handler"), naive: await survivors("naive") };
    return {
      cpuMs: {
        handler: percentile(cpu.handler, 50),
        naive: percentile(cpu.naive, 50),
        floor: percentile(cpu.floor, 50),
        essential: percentile(cpu.essential, 50),
      },
      records: CPU_WORKLOAD.batches * CPU_WORKLOAD.batchSize,
      peakMiB: {
        handler: peaks.handler?.peakMiB ?? Number.NaN,
        naive: peaks.naive?.peakMiB ?? Number.NaN,
        none: peaks.none?.peakMiB ?? Number.NaN,
      },
      heapPeakMiB: {
        handler: peaks.handler?.heapPeakMiB ?? Number.NaN,
        naive: peaks.naive?.heapPeakMiB ?? Number.NaN,
        none: peaks.none?.heapPeakMiB ?? Number.NaN,
      },
      eventMiB: peaks.none?.eventMiB ?? Number.NaN,
      scavengeSurvivorsMiB,
    };
  } finally {
    standIn.process.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
}
