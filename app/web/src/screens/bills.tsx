// Bills and other recurring transactions: what is due and coming (post it, with another amount
// or date if the bill came out different, or skip it), every schedule with its next date, and
// the form that creates and edits one.
import { useEffect, useRef, useState } from "preact/hooks";
import {
  Amount,
  Empty,
  Field,
  FormError,
  LoadError,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from "../components/ui.tsx";
import { type Account, api, type Category, query } from "../lib/api.ts";
import {
  categoryOptions,
  categoryPath,
  refreshAccounts,
  useAccounts,
  useCategories,
} from "../lib/data.ts";
import { formatDate, today } from "../lib/format.ts";
import { signOf } from "../lib/money.ts";
import {
  type BillDraft,
  dayOfMonthOptions,
  describeSchedule,
  type Direction,
  draftOf,
  dueAndUpcoming,
  emptyDraft,
  nextOccurrences,
  type Occurrence,
  type Posted,
  postBody,
  type Recurring,
  type RecurringList,
  recurringBody,
  unitName,
  unitOptions,
  unsigned,
  typedAmount,
  type Upcoming,
  whenDue,
} from "../lib/recurring.ts";
import { type Resource, useResource } from "../lib/resource.ts";
import { useCanWrite } from "../lib/session.ts";

/** How far ahead the due list looks; the dashboard's card looks as far. */
const AHEAD_DAYS = 30;
/** How far ahead occurrences are fetched: far enough to find every yearly bill's next date. */
const FETCH_DAYS = 366;

/** Outflow or inflow, so the amount beside it never needs a sign. */
function DirectionToggle(props: {
  value: Direction;
  onValue: (value: Direction) => void;
  label: string;
}) {
  return (
    <fieldset class="direction">
      <legend>{props.label}</legend>
      {(
        [
          ["outflow", "Outflow"],
          ["inflow", "Inflow"],
        ] as const
      ).map(([value, text]) => (
        <label key={value} class={props.value === value ? "selected" : ""}>
          <input
            type="radio"
            value={value}
            checked={props.value === value}
            onChange={() => {
              props.onValue(value);
            }}
          />
          {text}
        </label>
      ))}
    </fieldset>
  );
}

/** A number input for small whole numbers (every n units, match days). */
function WholeNumberField(props: {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  error: unknown;
  hint?: string;
  min: number;
  max: number;
}) {
  return (
    <Field label={props.label} name={props.name} error={props.error} hint={props.hint}>
      {(id, describedBy, invalid) => (
        <input
          type="number"
          id={id}
          name={props.name}
          min={props.min}
          max={props.max}
          step={1}
          inputMode="numeric"
          required
          value={props.value}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onInput={(e) => {
            props.onValue(e.currentTarget.value);
          }}
        />
      )}
    </Field>
  );
}

/** The draft's schedule in words as it is typed, or undefined while it cannot be read. */
function scheduleSummary(draft: BillDraft, occurrences: number | null): string | undefined {
  const every = Number(draft.every);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.startDate) || !Number.isInteger(every) || every < 1)
    return undefined;
  return describeSchedule({
    unit: draft.unit,
    every,
    dayOfMonth: draft.unit === "month" && draft.dayOfMonth !== "" ? Number(draft.dayOfMonth) : null,
    startDate: draft.startDate,
    endDate: draft.endDate === "" ? null : draft.endDate,
    occurrences,
  });
}

/** Creates or edits a recurring transaction. */
function BillForm(props: {
  bill?: Recurring;
  accounts: readonly Account[];
  categories: readonly Category[];
  onSaved: (bill: Recurring) => void;
  onCancel: () => void;
}) {
  const open = props.accounts.filter((a) => !a.archived || a.id === props.bill?.accountId);
  const [draft, setDraft] = useState<BillDraft>(() =>
    props.bill ? draftOf(props.bill) : emptyDraft(open[0]?.id ?? "", today()),
  );
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<BillDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
  };
  const currency = open.find((a) => a.id === draft.accountId)?.currency ?? "EUR";
  const summary = scheduleSummary(draft, props.bill?.occurrences ?? null);

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = recurringBody(draft, currency);
      const saved = props.bill
        ? await api.patch<Recurring>(`/recurring/${props.bill.id}`, body)
        : await api.post<Recurring>("/recurring", body);
      props.onSaved(saved);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="card bill-form"
      aria-labelledby="bill-form-title"
      onSubmit={(e) => void save(e)}
      onKeyDown={(e) => {
        if (e.key === "Escape") props.onCancel();
      }}
    >
      <h2 id="bill-form-title">{props.bill ? `Edit “${props.bill.name}”` : "New bill"}</h2>
      <div class="form-grid">
        <TextField
          label="Name"
          name="name"
          required
          autoFocus
          value={draft.name}
          onValue={(name) => {
            set({ name });
          }}
          error={error}
        />
        <SelectField
          label="Account"
          name="accountId"
          value={draft.accountId}
          onValue={(accountId) => {
            set({ accountId });
          }}
          options={open.map((a): [string, string] => [a.id, `${a.name} (${a.currency})`])}
          error={error}
        />
        <TextField
          label="Payee"
          name="payee"
          value={draft.payee}
          onValue={(payee) => {
            set({ payee });
          }}
          error={error}
        />
        <SelectField
          label="Category"
          name="categoryId"
          value={draft.categoryId}
          onValue={(categoryId) => {
            set({ categoryId });
          }}
          options={categoryOptions(props.categories)}
          error={error}
        />
        <DirectionToggle
          label="Money"
          value={draft.direction}
          onValue={(direction) => {
            set({ direction });
          }}
        />
        <TextField
          label={`Amount (${currency})`}
          name="amount"
          inputMode="decimal"
          required
          value={draft.amount}
          onValue={(amount) => {
            set(typedAmount(amount, draft.direction));
          }}
          error={error}
        />
      </div>
      <fieldset class="bill-schedule">
        <legend>Schedule</legend>
        <div class="form-grid">
          <SelectField
            label="Repeats"
            name="unit"
            value={draft.unit}
            onValue={(v) => {
              const unit = unitOptions.find(([u]) => u === v)?.[0];
              if (unit) set({ unit });
            }}
            options={unitOptions}
            error={error}
          />
          <WholeNumberField
            label={`Every how many ${unitName(draft.unit, 2)}`}
            name="every"
            min={1}
            max={1000}
            value={draft.every}
            onValue={(v) => {
              set({ every: v });
            }}
            error={error}
          />
          {draft.unit === "month" && (
            <SelectField
              label="Day of the month"
              name="dayOfMonth"
              value={draft.dayOfMonth}
              onValue={(dayOfMonth) => {
                set({ dayOfMonth });
              }}
              options={dayOfMonthOptions}
              error={error}
            />
          )}
          <TextField
            label="Starts on"
            name="startDate"
            type="date"
            required
            value={draft.startDate}
            onValue={(startDate) => {
              set({ startDate });
            }}
            error={error}
          />
          <TextField
            label="Ends on (optional)"
            name="endDate"
            type="date"
            value={draft.endDate}
            onValue={(endDate) => {
              set({ endDate });
            }}
            error={error}
          />
        </div>
        {summary !== undefined && (
          <p class="schedule-summary" aria-live="polite">
            {summary}
          </p>
        )}
      </fieldset>
      <fieldset class="bill-schedule">
        <legend>When it is due</legend>
        <div class="form-grid">
          <label class="check">
            <input
              type="checkbox"
              checked={draft.autoPost}
              onChange={(e) => {
                set({ autoPost: e.currentTarget.checked });
              }}
            />
            Post automatically when due
          </label>
          <WholeNumberField
            label="Match days"
            name="matchDays"
            min={0}
            max={31}
            value={draft.matchDays}
            onValue={(matchDays) => {
              set({ matchDays });
            }}
            hint="A transaction of the same amount booked this many days either side (a bank import) is taken as the bill instead of booking it twice."
            error={error}
          />
        </div>
      </fieldset>
      <div class="form-actions">
        <FormError error={error} />
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {props.bill ? "Save bill" : "Create bill"}
        </button>
      </div>
    </form>
  );
}

/** Posting one occurrence with another amount or date (the bill came out different). */
function PostChanged(props: {
  occurrence: Occurrence;
  onPost: (body: ReturnType<typeof postBody>) => Promise<void>;
  onCancel: () => void;
}) {
  const o = props.occurrence;
  const [amount, setAmount] = useState(unsigned(o.amount));
  const [direction, setDirection] = useState<Direction>(
    signOf(o.amount) > 0 ? "inflow" : "outflow",
  );
  const [date, setDate] = useState(o.date);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await props.onPost(postBody(o, { amount, direction, date }));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <form
      class="post-changed"
      aria-label={`Post ${o.name} of ${formatDate(o.date)} with changes`}
      onSubmit={(e) => void submit(e)}
      onKeyDown={(e) => {
        if (e.key === "Escape") props.onCancel();
      }}
    >
      <DirectionToggle label="Money" value={direction} onValue={setDirection} />
      <TextField
        label={`Amount (${o.currency})`}
        name="amount"
        inputMode="decimal"
        required
        autoFocus
        value={amount}
        onValue={(v) => {
          const typed = typedAmount(v, direction);
          setAmount(typed.amount);
          setDirection(typed.direction);
        }}
        error={error}
      />
      <TextField
        label="Booking date"
        name="date"
        type="date"
        required
        value={date}
        onValue={setDate}
        error={error}
      />
      <div class="form-actions">
        <FormError error={error} />
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          Post
        </button>
      </div>
    </form>
  );
}

/** One occurrence to act on: when, what, how much, and post / change / skip. */
function OccurrenceRow(props: {
  occurrence: Occurrence;
  accountName: string;
  canWrite: boolean;
  onPosted: (posted: Posted, occurrence: Occurrence) => void;
  onSkipped: (occurrence: Occurrence) => void;
}) {
  const o = props.occurrence;
  const [changing, setChanging] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const when = formatDate(o.date);
  const overdue = o.due && o.date < today();

  const post = async (body: ReturnType<typeof postBody>) => {
    const posted = await api.post<Posted>(
      `/recurring/${o.recurringId}/occurrences/${o.date}/post`,
      body,
    );
    props.onPosted(posted, o);
  };
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const skip = () => {
    if (!confirm(`Skip “${o.name}” of ${when}? It will not be posted.`)) return;
    void act(async () => {
      await api.post(`/recurring/${o.recurringId}/occurrences/${o.date}/skip`);
      props.onSkipped(o);
    });
  };

  return (
    <li class={`occurrence${overdue ? " overdue" : ""}`}>
      <div class="occurrence-row">
        <span class="list-main">
          <span class="list-title">
            {o.name}
            {o.autoPost && <span class="badge">Auto-post</span>}
          </span>
          <span class="list-sub">
            <span class={overdue ? "overdue-text" : ""}>{whenDue(o, today())}</span>
            {o.payee && ` · ${o.payee}`}
            {props.accountName && ` · ${props.accountName}`}
          </span>
        </span>
        <Amount value={o.amount} currency={o.currency} />
        {props.canWrite && !changing && (
          <span class="row-actions occurrence-actions">
            <button
              type="button"
              class={o.due ? "primary" : ""}
              disabled={busy}
              onClick={() => void act(() => post({}))}
            >
              Post
              <span class="sr-only">
                {" "}
                {o.name} of {when}
              </span>
            </button>
            <button
              type="button"
              class="ghost"
              disabled={busy}
              onClick={() => {
                setChanging(true);
              }}
            >
              Change
              <span class="sr-only">
                {" "}
                and post {o.name} of {when}
              </span>
            </button>
            <button type="button" class="ghost" disabled={busy} onClick={skip}>
              Skip
              <span class="sr-only">
                {" "}
                {o.name} of {when}
              </span>
            </button>
          </span>
        )}
      </div>
      <FormError error={error} />
      {changing && (
        <PostChanged
          occurrence={o}
          onPost={post}
          onCancel={() => {
            setChanging(false);
          }}
        />
      )}
    </li>
  );
}

/** What is due now and what comes in the next days, each with its actions. */
function DueList(props: {
  upcoming: Resource<Upcoming>;
  accounts: readonly Account[];
  canWrite: boolean;
  onPosted: (posted: Posted, occurrence: Occurrence) => void;
  onSkipped: (occurrence: Occurrence) => void;
}) {
  const { upcoming } = props;
  const { due, upcoming: coming } = dueAndUpcoming(upcoming.data?.data ?? [], today(), AHEAD_DAYS);
  const accountName = (id: string) => props.accounts.find((a) => a.id === id)?.name ?? "";
  const rows = (list: Occurrence[]) => (
    <ul class="list occurrences">
      {list.map((o) => (
        <OccurrenceRow
          key={`${o.recurringId}-${o.date}`}
          occurrence={o}
          accountName={accountName(o.accountId)}
          canWrite={props.canWrite}
          onPosted={props.onPosted}
          onSkipped={props.onSkipped}
        />
      ))}
    </ul>
  );
  return (
    <section class="card" aria-labelledby="bills-due-title">
      <h2 id="bills-due-title">Due and upcoming</h2>
      {upcoming.loading && !upcoming.data && <Loading />}
      {upcoming.error !== undefined && <LoadError error={upcoming.error} retry={upcoming.reload} />}
      {upcoming.data && due.length === 0 && coming.length === 0 && (
        <Empty title={`Nothing due in the next ${String(AHEAD_DAYS)} days`}>
          <p>Bills show here before they are due, and stay until they are posted or skipped.</p>
        </Empty>
      )}
      {due.length > 0 && (
        <>
          <h3 class="subhead">Due now</h3>
          {rows(due)}
        </>
      )}
      {coming.length > 0 && (
        <>
          <h3 class="subhead">Next {AHEAD_DAYS} days</h3>
          {rows(coming)}
        </>
      )}
    </section>
  );
}

/** Every recurring transaction: what, how much, when, and its next date. */
function BillList(props: {
  bills: Resource<Recurring[]>;
  next: Map<string, Occurrence>;
  /** False while the occurrences are (re)loading: a bill just created has none yet. */
  nextKnown: boolean;
  accounts: readonly Account[];
  categories: readonly Category[];
  canWrite: boolean;
  onEdit: (id: string) => void;
  onDeleted: (bill: Recurring) => void;
}) {
  const { bills } = props;
  const list = bills.data ?? [];
  const [error, setError] = useState<unknown>();
  const remove = async (bill: Recurring) => {
    if (!confirm(`Delete “${bill.name}”? The transactions it already posted stay.`)) return;
    setError(undefined);
    try {
      await api.del(`/recurring/${bill.id}`);
      props.onDeleted(bill);
    } catch (e) {
      setError(e);
    }
  };
  const nextLabel = (bill: Recurring) => {
    const next = props.next.get(bill.id);
    if (next) return next.due ? whenDue(next, today()) : `Next ${formatDate(next.date)}`;
    // Never say "none" from a list that predates the bill.
    if (!props.nextKnown) return "";
    return bill.endDate !== null && bill.endDate < today() ? "Ended" : "None in the next year";
  };
  return (
    <section class="card" aria-labelledby="bills-all-title">
      <h2 id="bills-all-title">All bills and recurring transactions</h2>
      <FormError error={error} />
      {bills.loading && !bills.data && <Loading />}
      {bills.error !== undefined && <LoadError error={bills.error} retry={bills.reload} />}
      {bills.data && list.length === 0 && (
        <Empty title="No bills yet">
          {props.canWrite && (
            <p>Use “New bill” for rent, subscriptions, a salary or anything else that repeats.</p>
          )}
        </Empty>
      )}
      {list.length > 0 && (
        <ul class="list bills">
          {list.map((bill) => {
            const account = props.accounts.find((a) => a.id === bill.accountId);
            const details = [
              bill.payee,
              describeSchedule(bill),
              account?.name ?? "",
              bill.categoryId === null ? "" : categoryPath(props.categories, bill.categoryId),
            ].filter(Boolean);
            return (
              <li key={bill.id} class="bill">
                <span class="list-main">
                  <span class="list-title">
                    {bill.name}
                    {bill.autoPost && <span class="badge">Auto-post</span>}
                  </span>
                  <span class="bill-details">{details.join(" · ")}</span>
                </span>
                <span class="bill-figures">
                  <Amount value={bill.amount} currency={bill.currency} />
                  <span class="bill-next">{nextLabel(bill)}</span>
                </span>
                {props.canWrite && (
                  <span class="row-actions bill-actions">
                    <button
                      type="button"
                      onClick={() => {
                        props.onEdit(bill.id);
                      }}
                    >
                      Edit<span class="sr-only"> {bill.name}</span>
                    </button>
                    <button type="button" class="ghost danger" onClick={() => void remove(bill)}>
                      Delete<span class="sr-only"> {bill.name}</span>
                    </button>
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

/** What the last action did, focused so screen readers hear it; a post links to its account. */
interface Notice {
  text: string;
  accountId?: string;
  accountName?: string;
}

/** What posting an occurrence did: booked it, or matched a transaction already there. */
function postedNotice(result: Posted, o: Occurrence, accounts: readonly Account[]): Notice {
  const account = accounts.find((a) => a.id === o.accountId);
  return {
    text: result.matched
      ? `“${o.name}” of ${formatDate(o.date)} was matched to a transaction already booked.`
      : `Posted “${o.name}” of ${formatDate(o.date)}.`,
    accountId: o.accountId,
    ...(account ? { accountName: account.name } : {}),
  };
}

function NoticeLine(props: { notice: Notice }) {
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [props.notice]);
  const { text, accountId, accountName } = props.notice;
  return (
    <p class="notice" role="status" tabIndex={-1} ref={ref}>
      {text}
      {accountId !== undefined && (
        <>
          {" "}
          <a href={`/accounts/${accountId}`}>Open {accountName ?? "the account"}</a>
        </>
      )}
    </p>
  );
}

/** Why there is nothing to book bills into yet: the accounts failed to load, or there are none. */
function NoAccounts() {
  const accounts = useAccounts();
  if (accounts.error !== undefined)
    return <LoadError error={accounts.error} retry={() => void accounts.reload()} />;
  if (accounts.data?.length !== 0) return null;
  return (
    <Empty title="No accounts yet">
      <p>
        Bills are booked into an account: <a href="/accounts">add one first</a>.
      </p>
    </Empty>
  );
}

/** The form for "new" or a bill's id, once the accounts and categories it offers are loaded. */
function OpenForm(props: {
  editing: string;
  bills: readonly Recurring[];
  onSaved: (bill: Recurring) => void;
  onCancel: () => void;
}) {
  const accounts = useAccounts();
  const categories = useCategories();
  const bill = props.bills.find((b) => b.id === props.editing);
  if (!accounts.data || !categories.data || (props.editing !== "new" && !bill)) return null;
  return (
    <BillForm
      key={props.editing}
      {...(bill ? { bill } : {})}
      accounts={accounts.data}
      categories={categories.data}
      onSaved={props.onSaved}
      onCancel={props.onCancel}
    />
  );
}

/** The bills screen: due and upcoming occurrences, every schedule, and the form. */
export function BillsScreen() {
  const bills = useResource(() => api.get<RecurringList>("/recurring").then((r) => r.data), []);
  const upcoming = useResource(
    () => api.get<Upcoming>(`/recurring/upcoming${query({ days: FETCH_DAYS })}`),
    [],
  );
  const accounts = useAccounts();
  const categories = useCategories();
  const canWrite = useCanWrite();
  const [editing, setEditing] = useState<string>(); // a recurring id, or "new"
  const [notice, setNotice] = useState<Notice>();
  const accountList = accounts.data ?? [];
  const next = nextOccurrences(upcoming.data?.data ?? []);

  const reload = () => {
    bills.reload();
    upcoming.reload();
  };
  const open = (id: string) => {
    setNotice(undefined);
    setEditing(id);
    window.scrollTo({ top: 0 });
  };
  const saved = (bill: Recurring) => {
    setNotice({ text: `${editing === "new" ? "Created" : "Saved"} “${bill.name}”.` });
    setEditing(undefined);
    reload();
  };
  const posted = (result: Posted, o: Occurrence) => {
    setNotice(postedNotice(result, o, accountList));
    void refreshAccounts();
    upcoming.reload();
  };
  const skipped = (o: Occurrence) => {
    setNotice({ text: `Skipped “${o.name}” of ${formatDate(o.date)}.` });
    upcoming.reload();
  };
  const deleted = (bill: Recurring) => {
    if (editing === bill.id) setEditing(undefined);
    setNotice({ text: `Deleted “${bill.name}”.` });
    reload();
  };

  return (
    <div class="page bills-page">
      <PageHeader title="Bills">
        {canWrite && editing === undefined && accountList.length > 0 && (
          <button
            type="button"
            class="primary"
            onClick={() => {
              open("new");
            }}
          >
            New bill
          </button>
        )}
      </PageHeader>
      <p class="muted bills-intro">
        Rent, subscriptions, salaries: anything that repeats. Post each one when it is due (with
        another amount or date if it came out different), or skip it.
      </p>
      {notice !== undefined && <NoticeLine notice={notice} />}
      <NoAccounts />
      {canWrite && editing !== undefined && (
        <OpenForm
          editing={editing}
          bills={bills.data ?? []}
          onSaved={saved}
          onCancel={() => {
            setEditing(undefined);
          }}
        />
      )}
      <DueList
        upcoming={upcoming}
        accounts={accountList}
        canWrite={canWrite}
        onPosted={posted}
        onSkipped={skipped}
      />
      <BillList
        bills={bills}
        next={next}
        nextKnown={!upcoming.loading && upcoming.error === undefined}
        accounts={accountList}
        categories={categories.data ?? []}
        canWrite={canWrite}
        onEdit={open}
        onDeleted={deleted}
      />
    </div>
  );
}
