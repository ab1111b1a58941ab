/** The bench's chart draws one bar per result, red when its target is missed, with the target as a tick. */
import { describe, expect, it } from "vitest";
import { chart } from "../../tools/bench/results";

describe("bench chart", () => {
  it("draws a bar per result, green when met, red when missed, and a tick per target", () => {
    const svg = chart([
      { name: "met", measure: "", subject: 1, baseline: 2, unit: "ms", target: 1 },
      { name: "missed <x>", measure: "", subject: 3, baseline: 1, unit: "ms", target: 2 },
      { name: "info", measure: "", subject: 1, baseline: 1, unit: "ms" },
    ]);
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg.match(/fill="#d54"/g)).toHaveLength(1);
    expect(svg.match(/<line /g)).toHaveLength(2);
    expect(svg).toContain("missed &lt;x&gt;");
    expect(svg).toContain("3.00x");
  });
});
