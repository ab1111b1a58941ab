/** `npm run validate:template [path]`: offline validation of template.yaml; exits 1 on any problem. */
import { exitOnClosedPipe } from "../../operator/lib/closed-pipe";
import { loadTemplate } from "../lib/cfn-yaml";
import { validateTemplate } from "./validator";

exitOnClosedPipe();

const path = process.argv[2] ?? "template.yaml";
const problems = validateTemplate(loadTemplate(path));
for (const p of problems) console.error(`${p.check}\t${p.path}\t${p.message}`);
console.error(problems.length ? `${path}: ${problems.length} problem(s)` : `${path}: valid`);
process.exitCode = problems.length ? 1 : 0;
