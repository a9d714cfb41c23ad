import { useState } from "preact/hooks";
import { type Answer, api, type MissingRate, messageOf } from "../lib/api.ts";
import { formatDate } from "../lib/format.ts";
import { useResource } from "../lib/resource.ts";
import { useCanWrite } from "../lib/session.ts";

/** POST /exchange-rates/fetch: what the reference rates stored and what is still missing. */
export type FetchedRates = Answer<"fetchExchangeRates">;
/** GET /exchange-rates/source: whether this household may fetch reference rates at all. */
type RateSource = Answer<"getExchangeRateSource">;

function span(rate: MissingRate): string {
  return rate.firstDate === rate.lastDate
    ? formatDate(rate.firstDate)
    : `${formatDate(rate.firstDate)} – ${formatDate(rate.lastDate)}`;
}

function fetchedText(result: FetchedRates): string {
  const days = result.dates.length === 1 ? "1 day" : `${String(result.dates.length)} days`;
  return `Stored ${String(result.stored)} reference rates (${result.currencies.join(", ")}) for ${days}, up to ${formatDate(result.dates.at(-1) ?? "")}.`;
}

/**
 * Says which total is incomplete and which currencies (on which dates) it leaves out for want of
 * an exchange rate, with the fix one step away: fetching the daily reference rates, or entering
 * or uploading rates in Settings. `onFixed` reloads the total after a fetch.
 */
export function MissingRates(props: {
  rates: readonly MissingRate[];
  /** The total this is about, as the card names it: "Net worth", "Spending". */
  total: string;
  onFixed: () => void;
}) {
  const canWrite = useCanWrite();
  const incomplete = props.rates.length > 0;
  // Asked only when something is missing: a fetch is offered only where one can work.
  const source = useResource(
    () =>
      incomplete && canWrite
        ? api.get<RateSource>("/exchange-rates/source")
        : Promise.resolve(undefined),
    [incomplete, canWrite],
  );
  const fetchable = source.data !== undefined && source.data.fetching !== "off";
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState("");
  const [error, setError] = useState<unknown>();
  const fetchRates = async () => {
    setBusy(true);
    setDone("");
    setError(undefined);
    try {
      setDone(fetchedText(await api.post<FetchedRates>("/exchange-rates/fetch")));
      props.onFixed();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (props.rates.length === 0) {
    return done === "" ? null : (
      <p class="notice" role="status" data-testid="missing-rates-fixed">
        {done} {props.total} is complete now.
      </p>
    );
  }
  return (
    <div class="notice" role="note" data-testid="missing-rates">
      <p>
        <strong>{props.total} is incomplete.</strong> These amounts have no exchange rate and are
        left out:
      </p>
      <ul class="plain">
        {props.rates.map((r) => (
          <li key={r.currency}>
            {r.currency}, {span(r)}
          </li>
        ))}
      </ul>
      {canWrite ? (
        <p class="row-actions">
          {fetchable && (
            <button type="button" class="primary" disabled={busy} onClick={() => void fetchRates()}>
              {busy ? "Fetching…" : "Fetch reference rates"}
            </button>
          )}
          {source.data?.fetching === "off" && (
            <span data-testid="rate-fetching-off">
              Fetching reference rates is turned off for this household.
            </span>
          )}
          <a href="/settings">Enter or upload rates in Settings</a>
          <span role="status">{done}</span>
        </p>
      ) : (
        <p>
          A member of the household can add the missing rates in <a href="/settings">Settings</a>.
        </p>
      )}
      {error !== undefined && (
        <p role="alert" class="load-error">
          {messageOf(error)}
        </p>
      )}
    </div>
  );
}
