// Prints vitest's JSON report as one closing line, "vitest: N passed, N failed, N skipped", which
// CI reads to tell a run that tested something from one that ran nothing.
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? ".cache/vitest-report.json";
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch (error) {
  console.error(`no vitest report at ${file}: ${error.message}`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(
  `vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`,
);
if (report.numTotalTests === 0) {
  console.error("vitest ran no test");
  process.exit(1);
}
