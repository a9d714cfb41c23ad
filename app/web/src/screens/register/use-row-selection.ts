// Which of the register's loaded rows are ticked for a bulk action, and the row a shift-click
// ranges from. The rules themselves are lib/selection.ts; this holds the state.
import { useMemo, useRef, useState } from "preact/hooks";
import type { Transaction } from "../../lib/api.ts";
import { keepListed, toggleSelection } from "../../lib/selection.ts";

const ids = (rows: readonly Transaction[]) => rows.map((t) => t.id);

/**
 * The selection among `rows`. Its derived figures are worked out when the rows or the selection
 * change, not on every render: the register renders on every scrolled frame, and with
 * thousands of rows loaded a pass over them all is a frame's budget.
 */
export function useRowSelection(rows: readonly Transaction[]) {
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set<string>());
  const anchor = useRef<number | undefined>(undefined);
  /** The selected rows in list order (a row selected and then filtered away is not among them). */
  const selectedRows = useMemo(
    () => (selected.size === 0 ? [] : rows.filter((t) => selected.has(t.id))),
    [rows, selected],
  );
  const count = selectedRows.length;
  /** Whether every, some or none of the loaded rows is selected: "select all"'s state. */
  const state: "all" | "some" | "none" =
    count === 0 ? "none" : count === rows.length ? "all" : "some";

  const clear = () => {
    setSelected(new Set());
    anchor.current = undefined;
  };
  return {
    selected,
    selectedRows,
    state,
    clear,
    /** Ticks or unticks row `index`, with `range` every row from the last one ticked. */
    tick: (index: number, checked: boolean, range: boolean) => {
      setSelected((s) => toggleSelection(s, ids(rows), index, checked, anchor.current, range));
      anchor.current = index;
    },
    /** Selects every loaded row, or none. */
    all: (all: boolean) => {
      if (all) setSelected(new Set(ids(rows)));
      else setSelected(new Set());
      anchor.current = undefined;
    },
    /** Keeps only the selected ids that are among `listed` (after rows were deleted). */
    keep: (listed: readonly Transaction[]) => {
      setSelected((s) => keepListed(s, ids(listed)));
    },
    /** Deselects `gone`. */
    deselect: (gone: readonly string[]) => {
      setSelected((s) => new Set([...s].filter((id) => !gone.includes(id))));
    },
  };
}
