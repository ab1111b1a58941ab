/** The sizing tables of a bench run, from the indexer's measured CPU per record and template.yaml. */
import { DEFAULT_INDEX_SETTINGS } from "../../shared/index-templates";
import { durationMs } from "../opensearch-emulator/settings";
import { MODELLED_BATCH, templateIndexer } from "./lanes";
import type { Result } from "./measure";
import { ceilingTable, STAGE_SCENARIOS, sizingTable, WINDOW_TRADE_OFF } from "./sizing";

export function sizingFrom(results: Result[]):
  | {
      cpuMsPerRecord: number;
      memoryMb: number;
      bulkModel: typeof MODELLED_BATCH;
      stages: string[];
      window: string[];
      ceilings: string[];
    }
  | undefined {
  const cpuMsPerRecord = results.find((r) => r.details?.cpuMsPerRecord)?.details?.cpuMsPerRecord;
  if (cpuMsPerRecord === undefined) return undefined;
  const indexer = templateIndexer();
  const base = { cpuMsPerRecord, memoryMb: indexer.memorySize, bulkModel: MODELLED_BATCH };
  const refreshSeconds = durationMs(DEFAULT_INDEX_SETTINGS.refreshInterval) / 1000;
  const esm = indexer.eventSource;
  return {
    ...base,
    stages: sizingTable(STAGE_SCENARIOS, base, refreshSeconds),
    window: sizingTable(WINDOW_TRADE_OFF, base, refreshSeconds, "Case"),
    ceilings: ceilingTable({
      ...base,
      batchSize: esm.batchSize,
      batchingWindowSeconds: esm.batchingWindowMs / 1000,
      parallelizationFactor: esm.parallelizationFactor,
    }),
  };
}
