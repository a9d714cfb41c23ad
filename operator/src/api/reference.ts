// The API reference (crds/api.md) as Markdown, written from the generated CRDs: every field of
// spec and status with its type, default, limits, rules and description, so the document a
// platform team reads is the schema the API server enforces, never a hand-kept copy of it.

/** The part of a JSON schema (as the CRDs carry it) the reference shows. */
export interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: readonly unknown[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: readonly string[];
  additionalProperties?: SchemaNode | boolean;
  "x-kubernetes-validations"?: readonly { rule: string; message?: string }[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
}

/** The part of a CustomResourceDefinition the reference shows. */
export interface CrdForReference {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames?: readonly string[] };
    versions: readonly {
      name: string;
      additionalPrinterColumns?: readonly { name: string; jsonPath: string }[];
      schema: { openAPIV3Schema: SchemaNode };
    }[];
  };
}

interface Row {
  path: string;
  node: SchemaNode;
  required: boolean;
}

/** Every field below `node`, depth first, paths as `spec.app.autoscaling.maxReplicas`. */
function rows(node: SchemaNode, path: string, required: boolean): Row[] {
  const own: Row[] = [{ path, node, required }];
  if (node.properties) {
    const needed = new Set(node.required ?? []);
    return own.concat(
      Object.entries(node.properties).flatMap(([name, child]) =>
        rows(child, `${path}.${name}`, needed.has(name)),
      ),
    );
  }
  if (node.items?.properties) return own.concat(rows(node.items, `${path}[]`, false).slice(1));
  return own;
}

function typeOf(node: SchemaNode): string {
  if (node["x-kubernetes-int-or-string"] === true) return "integer or string";
  if (node.type === "array") return `array of ${node.items ? typeOf(node.items) : "any"}`;
  if (node.type === "object" && typeof node.additionalProperties === "object")
    return `map of ${typeOf(node.additionalProperties)}`;
  return node.format ? `${node.type ?? "any"} (${node.format})` : (node.type ?? "any");
}

// "1 to 100 characters", or nothing when neither bound is set; a length or count starts at 0.
function range(min: number | undefined, max: number | undefined, unit: string): string[] {
  if (min === undefined && max === undefined) return [];
  return [`${String(min ?? (unit === "" ? "…" : 0))} to ${String(max ?? "…")}${unit}`];
}

/** Limits and rules of a field, in words. */
function constraints(node: SchemaNode): string[] {
  return [
    ...(node.enum ? [`one of ${node.enum.map((v) => `\`${String(v)}\``).join(", ")}`] : []),
    ...range(node.minimum, node.maximum, ""),
    ...range(node.minLength, node.maxLength, " characters"),
    ...range(node.minItems, node.maxItems, " items"),
    ...(node.pattern === undefined ? [] : [`matches \`${node.pattern}\``]),
    ...(node["x-kubernetes-validations"] ?? []).map((rule) => rule.message ?? `\`${rule.rule}\``),
  ];
}

// A table cell: one line, pipes escaped.
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

function table(all: readonly Row[]): string[] {
  const lines = [
    "| Field | Type | Required | Default | Limits and rules | Description |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const { path, node, required } of all) {
    const fallback = node.default === undefined ? "" : `\`${JSON.stringify(node.default)}\``;
    lines.push(
      `| \`${path}\` | ${cell(typeOf(node))} | ${required ? "yes" : ""} | ${cell(fallback)} | ${cell(
        constraints(node).join("; "),
      )} | ${cell(node.description ?? "")} |`,
    );
  }
  return lines;
}

function section(crd: CrdForReference): string[] {
  const { group, names, scope, versions } = crd.spec;
  return versions.flatMap((version) => {
    const schema = version.schema.openAPIV3Schema;
    const top = schema.properties ?? {};
    const short = names.shortNames?.length ? ` (short name ${names.shortNames.join(", ")})` : "";
    const columns = (version.additionalPrinterColumns ?? []).map(
      (c) => `${c.name} (\`${c.jsonPath}\`)`,
    );
    return [
      `## ${names.kind}`,
      "",
      `\`${group}/${version.name}\`, ${scope.toLowerCase()}, \`kubectl get ${names.plural}\`${short}.`,
      "",
      ...(schema.description ? [cell(schema.description), ""] : []),
      ...(columns.length > 0 ? [`Columns of \`kubectl get\`: ${columns.join(", ")}.`, ""] : []),
      ...(["spec", "status"] as const).flatMap((part) => {
        const node = top[part];
        if (node === undefined) return [];
        const fields = rows(node, part, false).slice(1);
        const rules = constraints(node);
        return [
          `### ${part}`,
          "",
          ...(node.description ? [cell(node.description), ""] : []),
          ...(rules.length > 0 ? [`Rules: ${cell(rules.join("; "))}.`, ""] : []),
          ...table(fields),
          "",
        ];
      }),
    ];
  });
}

/** The reference of `crds`, one section a kind. */
export function apiReference(crds: readonly CrdForReference[]): string {
  return [
    "<!-- Generated by `make manifests` from operator/src/api/v1alpha1.ts. Do not edit. -->",
    "",
    "# fintrack API reference",
    "",
    "Every field of the custom resources the operator serves, as the API server validates them.",
    "",
    ...crds.flatMap(section),
  ].join("\n");
}
