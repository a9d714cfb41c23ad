import { z } from "zod";

/**
 * Building blocks for the FinanceTracker schema. Each zod schema here is both the runtime
 * validator the operator uses and the source of the CRD's OpenAPI schema (see crd.ts), so the
 * metadata keys (`description`, `x-kubernetes-*`) are the ones the API server understands.
 */

/** A Kubernetes resource quantity such as `500m`, `1.5Gi` or `2`, as the API server parses it. */
export const quantityPattern =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

/** A quantity written as a string or a plain number, exactly as core resources accept it. */
export const quantity = z
  .union([z.string().regex(new RegExp(quantityPattern)), z.number()])
  .meta({ "x-kubernetes-int-or-string": true });

/** CPU, memory and ephemeral-storage requests and limits, as in a container spec. */
export const resourceRequirements = z
  .object({
    requests: z
      .record(z.string(), quantity)
      .optional()
      .meta({ description: "Minimum resources reserved, for example {cpu: 100m, memory: 128Mi}." }),
    limits: z
      .record(z.string(), quantity)
      .optional()
      .meta({ description: "Maximum resources allowed, for example {memory: 256Mi}." }),
  })
  .meta({ description: "Compute resources of the container (requests and limits)." });

/** A validation rule the API server checks with CEL, reported with `message` on `fieldPath`. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?:
    "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
}

/** Metadata attaching CEL rules to a schema node. */
export function celRules(...rules: CelRule[]): { "x-kubernetes-validations": CelRule[] } {
  return { "x-kubernetes-validations": rules };
}

/** A status condition as kubebuilder's metav1.Condition has it; every kind here reports these. */
export const condition = z.object({
  type: z.string().meta({ description: "Condition type, for example Ready." }),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string().meta({ description: "One-word CamelCase reason for the last transition." }),
  message: z.string().meta({ description: "Human-readable detail." }),
  lastTransitionTime: z
    .string()
    .meta({ description: "When status last changed.", format: "date-time" }),
  observedGeneration: z.int().optional(),
});

/** `text` as a CEL string literal, for patterns in rules such as `self.matches(...)`. */
export function celString(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
