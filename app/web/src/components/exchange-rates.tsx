// Settings: the household's base currency (fixed at deployment) and the exchange rates that
// convert other currencies into it: listed, entered by hand, deleted, or uploaded as a CSV.
import { useState } from "preact/hooks";
import { type Answer, api, ApiError, messageOf } from "../lib/api.ts";
import { formatDate, today } from "../lib/format.ts";
import type { Resource } from "../lib/resource.ts";
import { FormError, LoadError, Loading, Section, TextField } from "./ui.tsx";

/** GET /exchange-rates: the base currency and the newest rates. */
export type RateList = Answer<"listExchangeRates">;
/** One unit of `currency` is worth `rate` units of the base currency from `date` on. */
export type ExchangeRate = RateList["data"][number];

/** How many rates the list shows (the newest). */
export const RATE_PAGE = 100;

/** The lines a refused CSV named (`body.line[3]` -> "Line 3: ..."), in line order. */
function csvLineErrors(error: unknown): string[] {
  if (!(error instanceof ApiError)) return [];
  return Object.entries(error.fields)
    .map(([path, message]) => ({ line: /^body\.line\[(\d+)\]/.exec(path)?.[1], message }))
    .filter((e): e is { line: string; message: string } => e.line !== undefined)
    .sort((a, b) => Number(a.line) - Number(b.line))
    .map((e) => `Line ${e.line}: ${e.message}`);
}

function AddRate(props: { base: string; onAdded: () => void }) {
  const [currency, setCurrency] = useState("");
  const [date, setDate] = useState(today());
  const [rate, setRate] = useState("");
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState("");
  const add = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setDone("");
    try {
      const code = currency.trim().toUpperCase();
      await api.post("/exchange-rates", { currency: code, date, rate: rate.trim() });
      setDone(`Saved: 1 ${code} = ${rate.trim()} ${props.base} from ${formatDate(date)}.`);
      setCurrency("");
      setRate("");
      props.onAdded();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form class="form-grid" aria-label="Add an exchange rate" onSubmit={(e) => void add(e)}>
      <TextField
        label="Currency"
        name="currency"
        hint="ISO code, e.g. USD"
        required
        maxLength={3}
        autoComplete="off"
        value={currency}
        onValue={setCurrency}
        error={error}
      />
      <TextField
        label="From date"
        name="date"
        type="date"
        required
        value={date}
        onValue={setDate}
        error={error}
      />
      <TextField
        label={`Rate in ${props.base}`}
        name="rate"
        hint={`What 1 unit is worth in ${props.base}`}
        inputMode="decimal"
        required
        value={rate}
        onValue={setRate}
        error={error}
      />
      <div class="form-actions span-all">
        <span role="status">{done}</span>
        <FormError error={error} />
        <button type="submit" class="primary">
          Add rate
        </button>
      </div>
    </form>
  );
}

function UploadRates(props: { onStored: () => void }) {
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState("");
  const [busy, setBusy] = useState(false);
  const upload = async (file: File) => {
    setError(undefined);
    setDone("");
    setBusy(true);
    try {
      // Browsers label .csv files inconsistently (often not at all): the API wants text/csv.
      const body = new Blob([file], { type: "text/csv" });
      const res = await api.upload<{ stored: number }>("/exchange-rates/csv", body);
      setDone(`Stored ${String(res.stored)} rates from ${file.name}.`);
      props.onStored();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const lines = csvLineErrors(error);
  return (
    <div class="stack">
      <div class="field">
        <label for="rates-csv">Upload rates as CSV</label>
        <input
          id="rates-csv"
          type="file"
          accept=".csv,text/csv,text/plain"
          aria-describedby="rates-csv-hint"
          disabled={busy}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void upload(file);
            e.currentTarget.value = "";
          }}
        />
        <small id="rates-csv-hint" class="hint">
          One rate per line: <code>date,currency,rate</code> (e.g. <code>2026-03-05,USD,0.92</code>
          ); a header line is optional. Every line is stored, or none.
        </small>
      </div>
      <p role="status" class="muted status-line">
        {busy ? "Uploading…" : done}
      </p>
      {error !== undefined && (
        <div class="load-error" role="alert">
          {lines.length > 0 ? (
            <>
              <p>Nothing was stored: these lines cannot be read.</p>
              <ul class="plain" data-testid="rate-csv-errors">
                {lines.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ul>
            </>
          ) : (
            <p>{messageOf(error)}</p>
          )}
        </div>
      )}
    </div>
  );
}

/** The currencies section of the settings. */
export function ExchangeRatesSection(props: { rates: Resource<RateList>; canWrite: boolean }) {
  const { rates } = props;
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState("");
  const base = rates.data?.base;
  const remove = (rate: ExchangeRate) => {
    setError(undefined);
    api.del(`/exchange-rates/${rate.currency}/${rate.date}`).then(() => {
      setDone(`Deleted the ${rate.currency} rate of ${formatDate(rate.date)}.`);
      rates.reload();
    }, setError);
  };
  return (
    <Section title="Currencies and exchange rates">
      {rates.loading && !rates.data && <Loading />}
      {rates.error !== undefined && <LoadError error={rates.error} retry={rates.reload} />}
      {base !== undefined && rates.data && (
        <div class="stack">
          <div class="narrow">
            <TextField
              label="Household base currency"
              name="baseCurrency"
              readOnly
              value={base}
              onValue={() => undefined}
              hint="Reports and budgets are in it. It is set when fintrack is deployed (FINTRACK_BASE_CURRENCY) and cannot change here."
            />
          </div>
          <h3>Rates to {base}</h3>
          {rates.data.data.length === 0 ? (
            <p class="muted">
              No rates yet. Amounts in other currencies are left out of reports until a rate is
              known.
            </p>
          ) : (
            <div class="table-wide table-scroll" tabIndex={0} aria-label="Exchange rates">
              <table class="rates-table">
                <caption class="sr-only">Exchange rates to {base}, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">From date</th>
                    <th scope="col" class="num">
                      Rate
                    </th>
                    {props.canWrite && (
                      <th scope="col">
                        <span class="sr-only">Actions</span>
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {rates.data.data.map((r) => (
                    <tr key={`${r.currency}-${r.date}`}>
                      <td>
                        <time dateTime={r.date}>{formatDate(r.date, "short")}</time>
                      </td>
                      <td class="num">
                        1 {r.currency} = {r.rate} {base}
                      </td>
                      {props.canWrite && (
                        <td class="num">
                          <button
                            type="button"
                            class="danger"
                            onClick={() => {
                              remove(r);
                            }}
                          >
                            Delete
                            <span class="sr-only">
                              {" "}
                              the {r.currency} rate of {formatDate(r.date)}
                            </span>
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {rates.data.data.length >= RATE_PAGE && (
            <p class="hint">The newest {RATE_PAGE} rates are shown.</p>
          )}
          <p role="status" class="muted status-line">
            {done}
          </p>
          <FormError error={error} />
          {props.canWrite && (
            <>
              <h3>Add a rate</h3>
              <AddRate base={base} onAdded={rates.reload} />
              <UploadRates onStored={rates.reload} />
            </>
          )}
        </div>
      )}
    </Section>
  );
}
