import { AppError, errors } from "../../errors.ts";

/** How long the rate source may take to answer in full, and how much it may send. */
export interface FeedLimits {
  timeoutMs: number;
  maxBytes: number;
}

/** The 90-day history is about 40 kB and answers in well under a second. */
export const FEED_LIMITS: FeedLimits = { timeoutMs: 15_000, maxBytes: 5 * 1024 * 1024 };

/** The source's address without its query or credentials, as an error may show it. */
export function shownUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Reads at most `maxBytes` of a body; more is refused without reading the rest. */
async function readLimited(res: Response, maxBytes: number, where: string): Promise<string> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    throw errors.upstreamFailed(`${where} sent more than ${String(maxBytes)} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body === null) return "";
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw errors.upstreamFailed(`${where} sent more than ${String(maxBytes)} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Downloads the rate feed at `url` as text, within `limits` (the whole exchange, body included,
 * is under the timeout). Every failure (unreachable, timed out, not 200, too large) is a 502
 * whose detail says which, for the person who pressed the button.
 */
export async function downloadFeed(url: URL, limits: FeedLimits = FEED_LIMITS): Promise<string> {
  const where = `the rate source ${shownUrl(url)}`;
  const signal = AbortSignal.timeout(limits.timeoutMs);
  try {
    const res = await fetch(url, {
      signal,
      redirect: "follow",
      headers: { Accept: "application/xml, text/xml;q=0.9, */*;q=0.1" },
    });
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw errors.upstreamFailed(`${where} answered HTTP ${String(res.status)}`);
    }
    return await readLimited(res, limits.maxBytes, where);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal.aborted) {
      throw errors.upstreamFailed(
        `${where} did not answer within ${String(limits.timeoutMs / 1000)} s`,
        error,
      );
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw errors.upstreamFailed(`${where} cannot be reached: ${reason.slice(0, 200)}`, error);
  }
}
