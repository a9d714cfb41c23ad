import { z } from "zod";
import {
  financeTrackerSpec,
  financeTrackerStatus,
  group,
  kind,
  plural,
  version,
} from "./v1alpha1.ts";
import { backupKind, backupPlural, trackerBackupSpec, trackerBackupStatus } from "./backup.ts";
import { labelKeys, partOf } from "../names.ts";

/** A JSON schema node as zod emits it and as the CRD's structural schema needs it. */
type SchemaNode = Record<string, unknown>;

/** The longest FinanceTracker name: children append suffixes such as `-postgres-headless`. */
export const maxNameLength = 40;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Keys zod emits that a structural schema forbids or that mean nothing there. */
function isDropped(node: SchemaNode, key: string, value: unknown): boolean {
  if (key === "$schema") return true;
  return (
    key === "additionalProperties" &&
    (value === false || node["x-kubernetes-preserve-unknown-fields"] === true)
  );
}

/**
 * An int-or-string union takes the one shape the API server accepts: anyOf integer | string,
 * with the string branch's validations (maxLength also bounds the cost of CEL rules) on the node.
 */
function intOrString(node: SchemaNode, anyOf: unknown[]): void {
  const stringBranch = anyOf.find((b): b is SchemaNode => isNode(b) && b.type === "string");
  delete node.type;
  node.anyOf = [{ type: "integer" }, { type: "string" }];
  for (const key of ["maxLength", "pattern"]) {
    if (stringBranch?.[key] !== undefined) node[key] = stringBranch[key];
  }
}

/** A union of literals (z.union of z.literal) becomes one typed enum. */
function literalEnum(node: SchemaNode, anyOf: SchemaNode[]): void {
  const values = anyOf.flatMap((b) => b.enum as unknown[]);
  delete node.anyOf;
  node.type = values.every((v) => Number.isInteger(v)) ? "integer" : "string";
  node.enum = values;
}

/**
 * Rewrites zod's JSON schema into a Kubernetes structural schema: literal unions become one
 * enum, int-or-string unions take the shape the API server requires, and constructs it forbids
 * (`$schema`, `additionalProperties: false`, free-form `additionalProperties: {}` under
 * preserve-unknown-fields) are dropped.
 */
export function toStructural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toStructural);
  if (!isNode(node)) return node;
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (isDropped(node, key, value)) continue;
    out[key] = key === "default" || key === "enum" ? value : toStructural(value);
  }
  const anyOf = out.anyOf;
  if (!Array.isArray(anyOf)) return out;
  if (out["x-kubernetes-int-or-string"] === true) intOrString(out, anyOf);
  else if (anyOf.every((b): b is SchemaNode => isNode(b) && Array.isArray(b.enum)))
    literalEnum(out, anyOf);
  return out;
}

function schemaOf(schema: z.ZodType): SchemaNode {
  // io "input": fields that have defaults are optional in what users write.
  const structural = toStructural(z.toJSONSchema(schema, { target: "openapi-3.0", io: "input" }));
  if (!isNode(structural)) throw new Error("zod produced a schema that is not an object");
  return structural;
}

/** The FinanceTracker CustomResourceDefinition, built from the zod schema alone. */
export function financeTrackerCrd(): SchemaNode {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${plural}.${group}`,
      labels: { [labelKeys.partOf]: partOf },
    },
    spec: {
      group,
      scope: "Namespaced",
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        shortNames: ["ft"],
        categories: ["fintrack"],
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            {
              name: "Ready",
              type: "string",
              jsonPath: '.status.conditions[?(@.type=="Ready")].status',
            },
            { name: "Phase", type: "string", jsonPath: ".status.phase" },
            { name: "PostgreSQL", type: "integer", jsonPath: ".status.postgres.version" },
            { name: "URL", type: "string", jsonPath: ".status.url" },
            { name: "Last Backup", type: "date", jsonPath: ".status.lastBackup.time" },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              description:
                "FinanceTracker runs a complete, secured, monitored finance tracker for one tenant: " +
                "PostgreSQL, Redis, the app, its Ingress, NetworkPolicies and monitoring.",
              required: ["spec"],
              properties: {
                apiVersion: { type: "string", description: "APIVersion of this representation." },
                kind: { type: "string", description: "Kind of this representation." },
                // name is declared only so the name rule below can report on metadata.name: a
                // fieldPath must lead to a field the schema has (else the error's field is <nil>).
                metadata: { type: "object", properties: { name: { type: "string" } } },
                spec: schemaOf(financeTrackerSpec),
                status: schemaOf(financeTrackerStatus),
              },
              "x-kubernetes-validations": [
                {
                  rule: `self.metadata.name.size() <= ${maxNameLength} && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')`,
                  fieldPath: ".metadata.name",
                  message: `metadata.name must start with a letter, hold only lower-case letters, digits and '-', and be at most ${maxNameLength} characters (the names of its children build on it)`,
                },
                {
                  // On the root, not on the field: only here can a rule see status, which knows
                  // whether the data may still go back (an upgrade not yet proven).
                  rule:
                    "!has(self.status) || !has(self.status.postgres) || " +
                    "self.spec.postgres.version >= self.status.postgres.version || " +
                    "(has(self.status.postgres.rollbackVersion) && " +
                    "self.spec.postgres.version == self.status.postgres.rollbackVersion)",
                  fieldPath: ".spec.postgres.version",
                  message:
                    "spec.postgres.version cannot go below the major PostgreSQL's data is on (status.postgres.version), except back to status.postgres.rollbackVersion while an upgrade is not yet proven",
                },
              ],
            },
          },
        },
      ],
    },
  };
}

/** The FinanceTrackerBackup CustomResourceDefinition: one object per backup, short name `ftb`. */
export function financeTrackerBackupCrd(): SchemaNode {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: {
      name: `${backupPlural}.${group}`,
      labels: { [labelKeys.partOf]: partOf },
    },
    spec: {
      group,
      scope: "Namespaced",
      names: {
        kind: backupKind,
        listKind: `${backupKind}List`,
        plural: backupPlural,
        singular: backupKind.toLowerCase(),
        shortNames: ["ftb"],
        categories: ["fintrack"],
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: "Tracker", type: "string", jsonPath: ".spec.trackerRef.name" },
            { name: "Phase", type: "string", jsonPath: ".status.phase" },
            { name: "Verified", type: "boolean", jsonPath: ".status.verification.verified" },
            { name: "Size", type: "integer", jsonPath: ".status.size" },
            { name: "Completed", type: "date", jsonPath: ".status.completionTime" },
            { name: "Checksum", type: "string", jsonPath: ".status.sha256", priority: 1 },
            { name: "Key", type: "string", jsonPath: ".status.key", priority: 1 },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              description:
                "FinanceTrackerBackup is one backup of a tenant's database to S3-compatible storage, " +
                "created by the tenant's schedule or by a user for an on-demand backup, and proven by " +
                "restoring it into a throwaway PostgreSQL.",
              required: ["spec"],
              properties: {
                apiVersion: { type: "string", description: "APIVersion of this representation." },
                kind: { type: "string", description: "Kind of this representation." },
                metadata: { type: "object" },
                spec: schemaOf(trackerBackupSpec),
                status: schemaOf(trackerBackupStatus),
              },
            },
          },
        },
      ],
    },
  };
}
