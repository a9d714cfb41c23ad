import { z } from "zod";

/**
 * Building blocks for the FinanceTracker schema. Each zod schema here is both the runtime
 * validator the operator uses and the source of the CRD's OpenAPI schema (see crd.ts), so the
 * metadata keys (`description`, `x-kubernetes-*`) are the ones the API server understands.
 */

/**
 * A Kubernetes resource quantity such as `500m`, `1.5Gi` or `2`: the grammar of the API server's
 * resource.ParseQuantity, which CEL's isQuantity() runs at admission.
 */
export const quantityPattern =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
const quantityRegex = new RegExp(quantityPattern);

/** Whether `text` is a Kubernetes quantity, as CEL's isQuantity() decides at admission. */
export function isQuantity(text: string): boolean {
  return quantityRegex.test(text);
}

const quantityMessage =
  "must be a resource quantity such as 500m or 2 for CPU and 256Mi or 1.5Gi for memory: a number with an optional suffix (m, Ki, Mi, Gi, Ti, or k, M, G, T), not MB or GB";

/**
 * A quantity written as a string or a plain number, exactly as core resources accept it. The
 * string's maxLength bounds the CEL rule's cost, which the API server estimates before it takes
 * the CRD; real quantities are a few characters long.
 */
export const quantity = z
  .union([z.string().max(64), z.number()])
  .refine((value) => typeof value !== "string" || isQuantity(value), { message: quantityMessage })
  .meta({
    "x-kubernetes-int-or-string": true,
    // The error's field path names the resource (requests[cpu]), so the words need not.
    ...celRules({ rule: "type(self) != string || isQuantity(self)", message: quantityMessage }),
  });

// The API server multiplies a rule's cost by how many entries a map may hold; a container has a
// handful of resources (cpu, memory, ephemeral-storage, hugepages-*, a device or two).
const maxResources = 16;

/** A map of resource names to quantities, such as a container's requests or limits. */
const resourceList = z
  .record(z.string(), quantity)
  .refine((list) => Object.keys(list).length <= maxResources, {
    message: `at most ${maxResources} resources`,
  })
  .meta({ maxProperties: maxResources });

/** CPU, memory and ephemeral-storage requests and limits, as in a container spec. */
export const resourceRequirements = z
  .object({
    requests: resourceList
      .optional()
      .meta({ description: "Minimum resources reserved, for example {cpu: 100m, memory: 128Mi}." }),
    limits: resourceList
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

/**
 * A string of at most `maxLength` characters that must match `pattern` (read alike by RE2 and
 * JavaScript), refused with the same `message` by the operator (zod) and at admission (a CEL
 * rule, listed before the field's other `rules`). Not zod's `.regex()`: that emits an OpenAPI
 * `pattern`, which the API server reports as the raw regex. `maxLength` bounds the rule's cost.
 */
export function patternedString(
  pattern: string,
  message: string,
  maxLength: number,
  ...rules: CelRule[]
): z.ZodString {
  const regex = new RegExp(pattern);
  return z
    .string()
    .max(maxLength)
    .refine((text) => regex.test(text), { message })
    .meta(celRules({ rule: `self.matches(${celString(pattern)})`, message }, ...rules));
}

/** A DNS subdomain (RFC 1123), what most Kubernetes object names are: Secrets, classes. */
const objectNamePattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/** The name of a Kubernetes object the `field` refers to, such as `example`, in words when wrong. */
export function objectName(field: string, example: string, ...rules: CelRule[]): z.ZodString {
  return patternedString(
    objectNamePattern,
    `${field} must be a lower-case name of letters, digits, '-' and '.' that starts and ends with a letter or digit, for example ${example}`,
    253,
    ...rules,
  );
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
