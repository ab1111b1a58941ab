import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    {
      // YAML and SQL imported as text, as esbuild's `--loader:.yaml=text` does in the Lambda bundle.
      name: "text-imports",
      transform(_code, id) {
        if (!/\.(ya?ml|sql)$/.test(id)) return undefined;
        return { code: `export default ${JSON.stringify(readFileSync(id, "utf8"))};`, map: null };
      },
    },
  ],
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // PostgreSQL servers and folders of test processes gone (a Ctrl-C, a kill): stopped and removed.
    globalSetup: ["test/global-setup.ts"],
    // `npm test` runs with --coverage: the deployed code (functions/, shared/) must stay covered.
    coverage: {
      provider: "v8",
      include: ["functions/**/*.ts", "shared/**/*.ts"],
      reporter: ["text-summary"],
      thresholds: { statements: 95, branches: 85, functions: 95, lines: 95 },
    },
  },
});
