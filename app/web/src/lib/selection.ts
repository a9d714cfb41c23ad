// Which rows of a list are ticked for a bulk action: pure, so the register's checkbox, shift-click
// and "select all" behaviour is tested without a browser.

/**
 * The selection after row `index` of `ids` is ticked (`checked`) or unticked. With `range` (a
 * shift-click or Shift+Space) every row from `anchor` to `index` takes that state, as in a
 * file manager; without an anchor, or when the anchor is past the list, only the row changes.
 */
export function toggleSelection(
  selected: ReadonlySet<string>,
  ids: readonly string[],
  index: number,
  checked: boolean,
  anchor: number | undefined,
  range: boolean,
): Set<string> {
  const next = new Set(selected);
  const useRange = range && anchor !== undefined && anchor >= 0 && anchor < ids.length;
  const [from, to] = useRange ? [Math.min(anchor, index), Math.max(anchor, index)] : [index, index];
  for (let i = from; i <= to; i++) {
    const id = ids[i];
    if (id === undefined) continue;
    if (checked) next.add(id);
    else next.delete(id);
  }
  return next;
}

/** Whether every, some or none of `ids` is selected: the "select all" box's state. */
export function selectionState(
  selected: ReadonlySet<string>,
  ids: readonly string[],
): "all" | "some" | "none" {
  let count = 0;
  for (const id of ids) if (selected.has(id)) count++;
  if (count === 0) return "none";
  return count === ids.length ? "all" : "some";
}

/** The selection without the ids that are no longer listed (deleted, or filtered away). */
export function keepListed(selected: ReadonlySet<string>, ids: readonly string[]): Set<string> {
  const listed = new Set(ids);
  return new Set([...selected].filter((id) => listed.has(id)));
}
