/** The indexer bench reads the peak heap in use from V8's --trace-gc lines, among the handler's logs. */
import { describe, expect, it } from "vitest";
import { heapPeakFromTrace, scavengeSurvivorsFromTrace } from "../../tools/bench/indexer-cpu";

describe("heapPeakFromTrace", () => {
  it("takes the largest heap in use before any collection, ignoring everything else on stdout", () => {
    const trace = [
      "[29419:0x2f09f000]       17 ms: Scavenge 4.8 (5.8) -> 4.5 (6.8) MB, pooled: 0 MB, 0.80 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ",
      '{"level":"INFO","message":"batch processed","received":500,"indexed":408,"note":"99.9 (100.0) -> 1"}',
      "[29550:0x28bf5000]      145 ms: Mark-Compact 99.5 (154.0) -> 77.4 (142.2) MB, pooled: 0 MB, 52.99 / 0.00 ms  (+ 0.0 ms in 1 steps since start of marking) allocation failure; GC in old space requested",
      "[29550:0x28bf5000]      150 ms: Minor Mark-Sweep 61.2 (80.0) -> 20.1 (80.0) MB, pooled: 0 MB, 3.00 / 0.00 ms",
      "[29550:0x28bf5000]      215 ms: Mark-Compact 102.1 (166.9) -> 87.2 (215.7) MB, pooled: 0 MB, 58.73 / 0.00 ms  testing; GC in old space requested",
    ].join("\n");
    expect(heapPeakFromTrace(trace)).toBe(102.1);
    expect(heapPeakFromTrace("no collections at all\n")).toBe(0);
  });
});

describe("scavengeSurvivorsFromTrace", () => {
  it("takes the median bytes surviving young-generation collections only, among the handler's logs", () => {
    const scavenge = (ms: number, survived: number) =>
      `[17241:0x12194000:0]     ${ms} ms: pause=10.3 mutator=68.0 gc=s reduce_memory=0 scavenge=10.22 allocated=53405528 promoted=17550000 new_space_survived=${survived} nodes_died_in_new=1 promotion_ratio=27.0%`;
    const trace = [
      scavenge(100, 1 * 2 ** 20),
      '{"level":"INFO","message":"batch processed","note":" gc=s x new_space_survived=9999999999 "}',
      scavenge(180, 3 * 2 ** 20),
      "[17241:0x12194000:0]      225 ms: pause=6.3 mutator=14.5 gc=mc reduce_memory=0 promoted=11029216 new_space_survived=88888888 nodes_died_in_new=0",
      scavenge(260, 2 * 2 ** 20),
    ].join("\n");
    expect(scavengeSurvivorsFromTrace(trace)).toBe(2);
    expect(scavengeSurvivorsFromTrace("no collections\n")).toBeNaN();
  });
});
