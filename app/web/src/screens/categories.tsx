import { useState } from "preact/hooks";
import {
  Empty,
  FormError,
  LoadError,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from "../components/ui.tsx";
import { api, type Category } from "../lib/api.ts";
import { categoryTree, refreshCategories, useCategories } from "../lib/data.ts";
import { useCanWrite } from "../lib/session.ts";

/** Renaming or moving one category in place; Enter saves, Esc cancels. */
function CategoryEditor(props: {
  category: Category;
  all: readonly Category[];
  onDone: () => void;
}) {
  const [name, setName] = useState(props.category.name);
  const [parentId, setParentId] = useState(props.category.parentId ?? "");
  const [error, setError] = useState<unknown>();
  // A category cannot move below itself or its own descendants.
  const below = new Set<string>([props.category.id]);
  for (const { category } of categoryTree(props.all)) {
    if (category.parentId !== null && below.has(category.parentId)) below.add(category.id);
  }
  const parents = categoryTree(props.all).filter(({ category }) => !below.has(category.id));
  const save = async (event: Event) => {
    event.preventDefault();
    try {
      await api.patch(`/categories/${props.category.id}`, { name, parentId: parentId || null });
      await refreshCategories();
      props.onDone();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form
      class="inline-form"
      aria-label={`Edit ${props.category.name}`}
      onSubmit={(e) => void save(e)}
      onKeyDown={(e) => {
        if (e.key === "Escape") props.onDone();
      }}
    >
      <TextField
        label="Name"
        name="name"
        autoFocus
        required
        value={name}
        onValue={setName}
        error={error}
      />
      <SelectField
        label="Parent"
        name="parentId"
        value={parentId}
        onValue={setParentId}
        options={[
          ["", "(top level)"],
          ...parents.map(({ category, depth }): [string, string] => [
            category.id,
            `${"\u00a0\u00a0".repeat(depth)}${category.name}`,
          ]),
        ]}
        error={error}
      />
      <FormError error={error} />
      <button type="button" onClick={props.onDone}>
        Cancel
      </button>
      <button type="submit" class="primary">
        Save
      </button>
    </form>
  );
}

/** The category tree: add top-level or child categories, rename, move, delete. */
export function CategoriesScreen() {
  const categories = useCategories();
  const canWrite = useCanWrite();
  const [editing, setEditing] = useState<string>();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"expense" | "income">("expense");
  const [parentId, setParentId] = useState("");
  const [error, setError] = useState<unknown>();
  const [deleteError, setDeleteError] = useState<unknown>();
  const list = categories.data ?? [];
  const tree = categoryTree(list);

  const add = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.post("/categories", { name, ...(parentId ? { parentId } : { kind }) });
      setName("");
      await refreshCategories();
    } catch (e) {
      setError(e);
    }
  };
  const [starterError, setStarterError] = useState<unknown>();
  const addStarterSet = async () => {
    setStarterError(undefined);
    try {
      await api.post("/categories/starter-set", {
        locale: navigator.languages.join(",").slice(0, 100),
      });
      await refreshCategories();
    } catch (e) {
      setStarterError(e);
    }
  };
  const remove = async (c: Category) => {
    if (!confirm(`Delete the category “${c.name}”?`)) return;
    setDeleteError(undefined);
    try {
      await api.del(`/categories/${c.id}`);
      await refreshCategories();
    } catch (e) {
      setDeleteError(e);
    }
  };

  return (
    <div class="page">
      <PageHeader title="Categories" />
      {canWrite && (
        <form class="card form-grid" aria-label="New category" onSubmit={(e) => void add(e)}>
          <h2 class="span-all">New category</h2>
          <TextField
            label="Name"
            name="name"
            required
            value={name}
            onValue={setName}
            error={error}
          />
          <SelectField
            label="Inside"
            name="parentId"
            value={parentId}
            onValue={setParentId}
            options={[
              ["", "(top level)"],
              ...tree.map(({ category, depth }): [string, string] => [
                category.id,
                `${"\u00a0\u00a0".repeat(depth)}${category.name}`,
              ]),
            ]}
            error={error}
          />
          {!parentId && (
            <SelectField
              label="Kind"
              name="kind"
              value={kind}
              onValue={(v) => {
                setKind(v === "income" ? "income" : "expense");
              }}
              options={[
                ["expense", "Expense"],
                ["income", "Income"],
              ]}
              error={error}
            />
          )}
          <div class="form-actions span-all">
            <FormError error={error} />
            <button type="submit" class="primary">
              Add category
            </button>
          </div>
        </form>
      )}
      {!categories.data && categories.error === undefined && <Loading />}
      {categories.error !== undefined && (
        <LoadError error={categories.error} retry={() => void categories.reload()} />
      )}
      {categories.data && list.length === 0 && (
        <Empty title="No categories yet">
          <p>Add groups like Housing or Food, then their subcategories.</p>
          {canWrite && (
            <>
              <p>Or start from the categories most households use, and change them as you go:</p>
              <button type="button" class="primary" onClick={() => void addStarterSet()}>
                Add the starter categories
              </button>
              <FormError error={starterError} />
            </>
          )}
        </Empty>
      )}
      <FormError error={deleteError} />
      {(["expense", "income"] as const).map((k) => {
        const rows = tree.filter(({ category }) => category.kind === k);
        if (rows.length === 0) return null;
        return (
          <section class="card" key={k} aria-labelledby={`kind-${k}`}>
            <h2 id={`kind-${k}`}>{k === "expense" ? "Expenses" : "Income"}</h2>
            <ul class="tree">
              {rows.map(({ category, depth }) => (
                <li key={category.id} class="tree-item">
                  {editing === category.id ? (
                    <CategoryEditor
                      category={category}
                      all={list}
                      onDone={() => {
                        setEditing(undefined);
                      }}
                    />
                  ) : (
                    <div class={`tree-row depth-${String(Math.min(depth, 6))}`}>
                      <span class="tree-name">
                        {depth > 0 && (
                          <span aria-hidden="true" class="tree-branch">
                            └
                          </span>
                        )}
                        {category.name}
                        {category.parentId !== null && (
                          <span class="sr-only">
                            {" "}
                            (in {list.find((c) => c.id === category.parentId)?.name})
                          </span>
                        )}
                      </span>
                      {canWrite && (
                        <span class="row-actions">
                          <button
                            type="button"
                            class="ghost"
                            onClick={() => {
                              setEditing(category.id);
                            }}
                          >
                            Edit<span class="sr-only"> {category.name}</span>
                          </button>
                          <button
                            type="button"
                            class="ghost danger"
                            onClick={() => void remove(category)}
                          >
                            Delete<span class="sr-only"> {category.name}</span>
                          </button>
                        </span>
                      )}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
