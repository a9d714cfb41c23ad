// Prints vitest's JSON reports as one closing line, "vitest: N passed, N failed, N skipped", which
// CI reads to tell a run that tested something from one that ran nothing. Several reports (make
// test's and make e2e's) are added up.
import { readFileSync } from "node:fs";

const files = process.argv.length > 2 ? process.argv.slice(2) : [".cache/vitest-report.json"];
const total = { passed: 0, failed: 0, skipped: 0, all: 0 };
for (const file of files) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    console.error(`no vitest report at ${file}: ${error.message}`);
    process.exit(1);
  }
  total.passed += report.numPassedTests;
  total.failed += report.numFailedTests;
  total.skipped += report.numPendingTests + report.numTodoTests;
  total.all += report.numTotalTests;
}
console.log(`vitest: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
if (total.all === 0) {
  console.error("vitest ran no test");
  process.exit(1);
}
