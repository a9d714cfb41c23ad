import type { MissingRate } from "../lib/api.ts";
import { formatDate } from "../lib/format.ts";

/** Currencies left out of a report's sums for want of an exchange rate, said plainly. */
export function MissingRates(props: { rates: readonly MissingRate[] }) {
  if (props.rates.length === 0) return null;
  return (
    <p class="notice" role="note">
      No exchange rate for{" "}
      {props.rates
        .map((r) => `${r.currency} (${formatDate(r.firstDate)} – ${formatDate(r.lastDate)})`)
        .join(", ")}
      : those amounts are left out. <a href="/settings">Add rates in Settings</a>.
    </p>
  );
}
