/**
 * Lets Node import `.yaml` and `.sql` files as text, the way esbuild's `--loader:.yaml=text` bundles them
 * for Lambda. Imported for its side effect by the local tools (invoke, poller).
 */
import { readFileSync } from "node:fs";
import { registerHooks } from "node:module";
import { fileURLToPath } from "node:url";

registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith("file:") && /\.(ya?ml|sql)$/.test(url)) {
      const text = readFileSync(fileURLToPath(url), "utf8");
      return { format: "module", source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
    }
    return nextLoad(url, context);
  },
});
