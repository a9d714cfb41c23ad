// Test fixture for the fault suite: a steady stream of bookings sent as a careful client sends
// them (one Idempotency-Key per booking, retried on 503, 409 and lost connections), and the
// checks that no acknowledged booking was lost and none was applied twice.
import pg from "pg";

/** How one attempt ended: its status, or how the connection failed. */
export type Outcome = number | "refused" | "reset" | "timeout";

/** One HTTP attempt of a booking. */
export interface Attempt {
  payee: string;
  outcome: Outcome;
  /** The Retry-After header, on a status. */
  retryAfter: string | null;
  /** The problem document's code, on a 4xx or 5xx. */
  code: string | undefined;
  ms: number;
  /** When the attempt was sent (epoch ms). */
  at: number;
}

/**
 * One booking: its unique payee, whether an attempt was acknowledged (201), and whether the
 * server said it was applied with its answer lost (409 idempotency_answer_unavailable).
 */
export interface Booking {
  payee: string;
  acknowledged: boolean;
  applied: boolean;
}

export interface TrafficReport {
  bookings: Booking[];
  attempts: Attempt[];
}

/** Writes in flight until stopped. */
export interface Traffic {
  /**
   * Starts no new booking; each unfinished one keeps retrying for `retryForMs` at most, then the
   * report of everything sent.
   */
  stop: (retryForMs?: number) => Promise<TrafficReport>;
  /** The report so far. */
  report: () => TrafficReport;
}

export interface TrafficOptions {
  base: string;
  session: { cookie: string; csrf: string };
  accountId: string;
  /** Starts every payee, so one scenario's bookings can be told from another's. */
  label: string;
  /** Bookings sent at the same time, each by its own loop. */
  writers?: number;
  /** An attempt without an answer after this long counts as a hang. */
  hangMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The connection failure behind a fetch error, as the client sees it. */
function failureOf(error: unknown): Outcome {
  if (error instanceof Error && error.name === "TimeoutError") return "timeout";
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  return cause?.code === "ECONNREFUSED" ? "refused" : "reset";
}

async function attempt(
  options: TrafficOptions,
  payee: string,
  key: string,
  hangMs: number,
): Promise<Attempt> {
  const at = Date.now();
  try {
    const res = await fetch(`${options.base}/api/v1/transactions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie: options.session.cookie,
        "x-csrf-token": options.session.csrf,
        "idempotency-key": key,
      },
      body: JSON.stringify({
        accountId: options.accountId,
        date: "2026-02-03",
        amount: "-1.25",
        payee,
      }),
      signal: AbortSignal.timeout(hangMs),
    });
    const text = await res.text();
    const code =
      res.status >= 400 && text.startsWith("{")
        ? (JSON.parse(text) as { code?: string }).code
        : undefined;
    const retryAfter = res.headers.get("retry-after");
    return { payee, outcome: res.status, retryAfter, code, ms: Date.now() - at, at };
  } catch (error) {
    return {
      payee,
      outcome: failureOf(error),
      retryAfter: null,
      code: undefined,
      ms: Date.now() - at,
      at,
    };
  }
}

/** Whether a careful client sends the same booking (same key) again after `a`. */
function retryable(a: Attempt): boolean {
  if (typeof a.outcome !== "number") return true;
  return a.outcome === 503 || (a.outcome === 409 && a.code === "idempotency_key_in_progress");
}

/**
 * How long to wait before the next attempt: Retry-After when given, capped at 1 s so a scenario
 * of a few seconds sees the recovery (a browser would wait the whole 5 s).
 */
function pause(a: Attempt): number {
  const seconds = Number(a.retryAfter ?? "0.2");
  return Math.min(1000, Number.isFinite(seconds) ? seconds * 1000 : 200);
}

/** Starts `writers` loops booking one transaction after another, each with a new payee. */
export function steadyWrites(options: TrafficOptions): Traffic {
  const hangMs = options.hangMs ?? 15_000;
  const bookings: Booking[] = [];
  const attempts: Attempt[] = [];
  let next = 0;
  let stoppedAt: number | undefined;
  let retryFor = 0;
  const giveUp = () => stoppedAt !== undefined && Date.now() > stoppedAt + retryFor;

  const loop = async () => {
    while (stoppedAt === undefined) {
      next += 1;
      const booking: Booking = {
        payee: `${options.label}-${String(next)}`,
        acknowledged: false,
        applied: false,
      };
      bookings.push(booking);
      const key = `"${booking.payee}"`;
      for (;;) {
        const a = await attempt(options, booking.payee, key, hangMs);
        attempts.push(a);
        if (a.outcome === 201) booking.acknowledged = true;
        if (a.code === "idempotency_answer_unavailable") booking.applied = true;
        if (a.outcome === 201 || !retryable(a) || giveUp()) break;
        await sleep(pause(a));
      }
      await sleep(10);
    }
  };
  const loops = Array.from({ length: options.writers ?? 3 }, () => loop());
  const report = () => ({ bookings: [...bookings], attempts: [...attempts] });
  return {
    report,
    stop: async (retryForMs = 15_000) => {
      retryFor = retryForMs;
      stoppedAt = Date.now();
      await Promise.all(loops);
      return report();
    },
  };
}

/** The figures of a scenario, as the closing note quotes them. */
export interface Figures {
  requests: number;
  bookings: number;
  acknowledged: number;
  unavailable503: number;
  inProgress409: number;
  /** Applied, its answer lost (idempotency_answer_unavailable): the client stops there. */
  answerLost409: number;
  refused: number;
  reset: number;
  timeout: number;
  /** Statuses other than 201, 503 and 409, by status. */
  unexpected: Record<string, number>;
  maxLatencyMs: number;
}

/** Counts a report's attempts by outcome. */
export function figuresOf(report: TrafficReport): Figures {
  const count = (test: (a: Attempt) => boolean) => report.attempts.filter(test).length;
  const unexpected: Record<string, number> = {};
  for (const a of report.attempts) {
    if (typeof a.outcome === "number" && ![201, 503, 409].includes(a.outcome))
      unexpected[String(a.outcome)] = (unexpected[String(a.outcome)] ?? 0) + 1;
  }
  return {
    requests: report.attempts.length,
    bookings: report.bookings.length,
    acknowledged: report.bookings.filter((b) => b.acknowledged).length,
    unavailable503: count((a) => a.outcome === 503),
    inProgress409: count((a) => a.code === "idempotency_key_in_progress"),
    answerLost409: count((a) => a.code === "idempotency_answer_unavailable"),
    refused: count((a) => a.outcome === "refused"),
    reset: count((a) => a.outcome === "reset"),
    timeout: count((a) => a.outcome === "timeout"),
    unexpected,
    maxLatencyMs: Math.max(0, ...report.attempts.map((a) => a.ms)),
  };
}

/** The 503s that do not say when to come back: each should carry Retry-After. */
export function unavailableWithoutRetryAfter(report: TrafficReport): Attempt[] {
  return report.attempts.filter((a) => a.outcome === 503 && a.retryAfter === null);
}

/** What the database holds of a report's bookings. */
export interface LedgerCheck {
  /** Bookings acknowledged, or said to be applied, but not stored exactly once. */
  lost: string[];
  /** Payees stored more than once. */
  doubled: string[];
}

/** Counts the stored transactions of every booking the report sent. */
export async function checkLedger(
  databaseUrl: string,
  report: TrafficReport,
): Promise<LedgerCheck> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ payee: string; n: number }>(
      "select payee, count(*)::int as n from transactions where payee = any($1) group by payee",
      [report.bookings.map((b) => b.payee)],
    );
    const stored = new Map(rows.map((r) => [r.payee, r.n]));
    return {
      lost: report.bookings
        .filter((b) => (b.acknowledged || b.applied) && stored.get(b.payee) !== 1)
        .map((b) => b.payee),
      doubled: rows.filter((r) => r.n > 1).map((r) => r.payee),
    };
  } finally {
    await client.end();
  }
}
