import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { ApiClient } from "../../../app/test/harness/client.ts";
import { repoRoot } from "../harness/cluster.ts";
import { kubectl, portForward, secretValue, type PortForward } from "./harness.ts";

/** A sample from samples/, parsed, with `edit` applied: the scenario runs the files users copy. */
export function sample(
  file: string,
  edit: (doc: Record<string, unknown>) => void = () => undefined,
): string {
  const doc = parse(readFileSync(join(repoRoot, "samples", file), "utf8")) as Record<
    string,
    unknown
  >;
  edit(doc);
  return stringify(doc);
}

/** Applies manifest text into `namespace`. */
export function apply(namespace: string, manifest: string): void {
  kubectl(
    ["apply", "--server-side", "--field-manager=fintrack-e2e", "-n", namespace, "-f", "-"],
    manifest,
  );
}

/** The generated first owner's sign-in: the spec's adminEmail and the credentials Secret's password. */
export function ownerLogin(
  namespace: string,
  name: string,
  email: string,
): { email: string; password: string } {
  return { email, password: secretValue(namespace, `${name}-credentials`, "admin-password") };
}

/** How long a sign-in follows the app's 503s with Retry-After before it gives up. */
const UNAVAILABLE_PATIENCE_MS = 30_000;

/**
 * An API client signed in as `login` through a port-forward to the tenant's app Service. A 503
 * with Retry-After is waited out, as a browser's retry would, for a short while: right after a
 * restarted PostgreSQL turns Ready, the node's Service rules can lag the pod by seconds, and the
 * app says so with a 503 (seen on a cold CI run, just after an upgrade was proven).
 */
export async function signedIn(
  namespace: string,
  name: string,
  login: { email: string; password: string },
): Promise<{ api: ApiClient; forward: PortForward }> {
  const forward = await portForward(namespace, `svc/${name}-app`, 8080);
  const api = new ApiClient(forward.url);
  const giveUpAt = Date.now() + UNAVAILABLE_PATIENCE_MS;
  let response = await api.post("/auth/login", login);
  for (;;) {
    const retryAfter = Number(response.headers.get("retry-after"));
    if (response.status !== 503 || !(retryAfter > 0) || Date.now() >= giveUpAt) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 5) * 1000));
    response = await api.post("/auth/login", login);
  }
  if (response.status !== 200) {
    forward.close();
    throw new Error(
      `signing in to ${namespace}/${name} answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  }
  return { api, forward };
}

/** What the ledger comparison reads: every account, January's spending, the account's transactions. */
export interface LedgerCapture {
  accounts: string;
  spending: string;
  transactions: string;
}

/** The account the scenario books into, and what its January must add up to. */
export const ledger = {
  balance: "1182.25",
  spending: "-67.75",
  range: "from=2026-01-01&to=2026-01-31",
};

/** Books a category, an account opened with 1000.00 EUR and four transactions; returns the account id. */
export async function bookLedger(api: ApiClient): Promise<string> {
  const category = await expectStatus(
    api.post<{ id: string }>("/categories", { name: "E2E groceries", kind: "expense" }),
    201,
  );
  const account = await expectStatus(
    api.post<{ id: string }>("/accounts", {
      name: "E2E checking",
      type: "checking",
      currency: "EUR",
      openingBalance: "1000.00",
      openingDate: "2026-01-01",
    }),
    201,
  );
  const rows = [
    ["2026-01-05", "-42.50", "Harbour market", category.id],
    ["2026-01-12", "-17.25", "Bakery", category.id],
    ["2026-01-19", "-8.00", "Kiosk", undefined],
    ["2026-01-26", "250.00", "Refund", undefined],
  ] as const;
  for (const [date, amount, payee, categoryId] of rows) {
    await expectStatus(
      api.post("/transactions", {
        accountId: account.id,
        date,
        amount,
        payee,
        ...(categoryId ? { categoryId } : {}),
      }),
      201,
    );
  }
  return account.id;
}

/** The ledger as the API answers it, byte for byte; fails unless it adds up to what was booked. */
export async function captureLedger(api: ApiClient, accountId: string): Promise<LedgerCapture> {
  const text = async (path: string) => {
    const response = await api.get(path);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    return response.bytes.toString("utf8");
  };
  const account = await expectStatus(api.get<{ balance: string }>(`/accounts/${accountId}`), 200);
  if (account.balance !== ledger.balance)
    throw new Error(`account holds ${account.balance}, not ${ledger.balance}`);
  const capture = {
    accounts: await text("/accounts"),
    spending: await text(`/reports/spending?${ledger.range}`),
    transactions: await text(`/transactions?accountId=${accountId}`),
  };
  const total = (JSON.parse(capture.spending) as { total: string }).total;
  if (total !== ledger.spending)
    throw new Error(`January's spending is ${total}, not ${ledger.spending}`);
  return capture;
}

/** Awaits a response and returns its body, or throws naming the status and problem. */
export async function expectStatus<T>(
  pending: Promise<{ status: number; body: T }>,
  status: number,
): Promise<T> {
  const response = await pending;
  if (response.status !== status) {
    throw new Error(
      `expected ${status}, got ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`,
    );
  }
  return response.body;
}
