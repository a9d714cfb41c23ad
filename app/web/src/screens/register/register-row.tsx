// One row of the register: its checkbox (when the person may edit) and the button that opens it.
import { Component } from "preact";
import { Amount } from "../../components/ui.tsx";
import type { Transaction } from "../../lib/api.ts";
import { currentLocale, formatDate } from "../../lib/format.ts";
import { formatMoney } from "../../lib/money.ts";

/** What a row is called: its payee, else its description. */
function titleOf(t: Transaction): string {
  return t.payee || t.description || "(no payee)";
}

/** A row's checkbox: Space ticks it, Shift+Space or shift-click ticks a range, arrows move. */
function RowCheck(props: {
  tx: Transaction;
  index: number;
  checked: boolean;
  onTick: (index: number, checked: boolean, range: boolean) => void;
  onMove: (index: number) => void;
}) {
  const { tx, index } = props;
  const amount = formatMoney(tx.amount, tx.currency, currentLocale());
  return (
    <span class="row-check">
      <input
        type="checkbox"
        data-check={index}
        checked={props.checked}
        aria-label={`Select ${titleOf(tx)}, ${formatDate(tx.date)}, ${amount}`}
        onClick={(e) => {
          props.onTick(index, e.currentTarget.checked, e.shiftKey);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            props.onMove(index + (e.key === "ArrowDown" ? 1 : -1));
          }
        }}
      />
    </span>
  );
}

/** What a row does, read through a ref so a row's props stay equal from one render to the next. */
export interface RowActions {
  tick: (index: number, checked: boolean, range: boolean) => void;
  focusRow: (index: number, part?: "row" | "check") => void;
  edit: (id: string) => void;
}

export interface RowProps {
  tx: Transaction;
  index: number;
  /** Its offset from the top of the list, px. */
  top: number;
  selected: boolean;
  canWrite: boolean;
  /** The second line: category, split count or transfer. */
  label: string;
  /** The running balance after it, when the register shows one. */
  balance: string | undefined;
  currency: string;
  /** The account's name, in the register of every account. */
  accountName: string | undefined;
  actions: { readonly current: RowActions };
}

function RowView(props: RowProps) {
  const { tx: t, index: i, actions } = props;
  return (
    <li
      style={{ transform: `translateY(${String(props.top)}px)` }}
      class={props.selected ? "selected" : undefined}
    >
      {props.canWrite && (
        <RowCheck
          tx={t}
          index={i}
          checked={props.selected}
          onTick={(index, checked, range) => {
            actions.current.tick(index, checked, range);
          }}
          onMove={(to) => {
            actions.current.focusRow(to, "check");
          }}
        />
      )}
      <button
        type="button"
        class="register-row"
        data-index={i}
        onClick={() => {
          actions.current.edit(t.id);
        }}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            actions.current.focusRow(i + 1);
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            actions.current.focusRow(i - 1);
          }
        }}
      >
        <span class="c-date">{formatDate(t.date, "short")}</span>
        <span class="c-payee">
          <span class="list-title">{titleOf(t)}</span>
          <span class="list-sub">
            {props.label}
            {t.tags.map((tag) => (
              <span class="tag" key={tag}>
                #{tag}
              </span>
            ))}
          </span>
        </span>
        {props.accountName !== undefined && (
          <span class="c-account">
            <span class="sr-only">account </span>
            {props.accountName}
          </span>
        )}
        <span class={`c-status status-${t.status}`}>{t.status}</span>
        <span class="c-amount">
          <Amount value={t.amount} currency={t.currency} />
        </span>
        {props.balance !== undefined && (
          <span class="c-balance">
            <span class="sr-only">balance </span>
            <Amount value={props.balance} currency={props.currency} />
          </span>
        )}
      </button>
    </li>
  );
}

/**
 * A register row that renders again only when its props change: as the list scrolls, the rows
 * that stay in view are left alone and only those coming into view are rendered (formatting a
 * row's dates and amounts on every frame was most of a scroll frame's work).
 */
export class RegisterRow extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const keys = Object.keys(next) as (keyof RowProps)[];
    return keys.some((key) => next[key] !== this.props[key]);
  }

  override render() {
    return <RowView {...this.props} />;
  }
}
