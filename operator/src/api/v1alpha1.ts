import { z } from "zod";
import { backupSpec, lastBackupStatus, restoreSpec } from "./backup.ts";
import {
  celRules,
  condition,
  isQuantity,
  objectName,
  patternedString,
  quantity,
  resourceRequirements,
} from "./schema-helpers.ts";

/** The API group, version and kind of the FinanceTracker resource. */
export const group = "fintrack.dev";
export const version = "v1alpha1";
export const apiVersion = `${group}/${version}`;
export const kind = "FinanceTracker";
export const plural = "financetrackers";

/** PostgreSQL majors the operator can run; the newest is the default for new tenants. */
export const postgresVersions = [15, 16, 17, 18] as const;
export type PostgresVersion = (typeof postgresVersions)[number];

const dnsHostname = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$";
const emailPattern = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$";
const imagePattern = "^[^\\s]+$";
const storageSizeMessage =
  "postgres.storage.size must be a size such as 10Gi, 500Gi or 1Ti: a number with an optional suffix (Mi, Gi, Ti, or M, G, T), not MB or GB";

const autoscaling = z
  .object({
    minReplicas: z.int().min(1).max(100).default(2).meta({ description: "Fewest app replicas." }),
    maxReplicas: z.int().min(1).max(100).meta({ description: "Most app replicas." }),
    targetCPUUtilizationPercentage: z.int().min(10).max(100).default(75).meta({
      description: "Average CPU use, in percent of requests, that the autoscaler aims for.",
    }),
    targetMemoryUtilizationPercentage: z.int().min(10).max(100).optional().meta({
      description:
        "Average memory use, in percent of requests, that the autoscaler aims for as well; unset scales on CPU alone. The autoscaler follows whichever of the two asks for more replicas.",
    }),
  })
  .meta({
    description:
      "Scale the app with a HorizontalPodAutoscaler; app.replicas is then ignored. Uses the app's CPU (and memory) requests.",
    ...celRules({
      rule: "!has(self.minReplicas) || self.minReplicas <= self.maxReplicas",
      message: "minReplicas must not exceed maxReplicas",
      fieldPath: ".minReplicas",
    }),
  });

const app = z
  .object({
    image: patternedString(
      imagePattern,
      "app.image must be a container image reference without spaces, for example ghcr.io/acme/fintrack:1.4.0",
      512,
    )
      .optional()
      .meta({
        description: "App container image; defaults to the image the operator was released with.",
      }),
    replicas: z.int().min(1).max(100).default(2).meta({
      description:
        "App replicas when autoscaling is off. More than one adds a PodDisruptionBudget.",
    }),
    resources: resourceRequirements.optional(),
    autoscaling: autoscaling.optional(),
    baseCurrency: patternedString(
      "^[A-Z]{3}$",
      "app.baseCurrency must be a 3-letter ISO 4217 code in capitals, for example EUR or USD",
      // Not 3: a schema error such as "Too long" hides every CEL message, these words included.
      16,
    )
      .default("EUR")
      .meta({
        description: "ISO 4217 code of the household's reporting currency, for example EUR or USD.",
      }),
    signup: z.enum(["closed", "open"]).default("closed").meta({
      description: "closed: new users join by invitation only; open: anyone may register.",
    }),
    // The languages the app's starter category tree is written in (its STARTER_LOCALES).
    locale: z.enum(["en", "de", "nl", "fr", "es"]).default("en").meta({
      description:
        "Language of the starter categories the household gets with its first owner: en, de, nl, fr or es. Read once, when the owner is created; later changes leave the categories alone.",
    }),
    exchangeRates: z
      .object({
        fetch: z.enum(["Never", "OnRequest", "Daily"]).default("Never").meta({
          description:
            "Never: the household enters or uploads its exchange rates. OnRequest: a member may fetch the daily reference rates from the source with one click. Daily: the app also fetches them a few times a day. Any but Never lets the app pods connect to the source's port.",
        }),
        source: z
          .url({ protocol: /^https?$/ })
          .max(512)
          .optional()
          .meta({
            description:
              "URL of an ECB-format XML feed of reference rates; the European Central Bank's daily feed when omitted.",
            ...celRules({
              rule: "self.matches('^https?://[^/?#\\\\s@]+([/?][^#\\\\s]*)?$')",
              message:
                "exchangeRates.source must be an http:// or https:// URL without credentials, for example https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml",
            }),
          }),
      })
      .optional()
      .meta({
        description:
          "Where the app gets exchange rates for accounts in other currencies than the base one; off unless set.",
      }),
    adminEmail: patternedString(
      emailPattern,
      "app.adminEmail must be an e-mail address, for example owner@example.com",
      254,
      {
        rule: "self == oldSelf",
        message:
          "app.adminEmail cannot change: it named the first owner, created with the tenant; change owners and their e-mail addresses in the app",
      },
    ).meta({
      description:
        "E-mail of the tenant's first owner, created with the tenant; its generated initial password is in the credentials Secret. It cannot change: owners and their e-mail addresses are managed in the app.",
    }),
  })
  .meta({
    description: "The finance app: image, size, currency, language and who may sign up.",
  });

const issuerRef = z
  .object({
    name: z.string().min(1).max(253).meta({ description: "Name of the cert-manager issuer." }),
    kind: z
      .enum(["Issuer", "ClusterIssuer"])
      .default("ClusterIssuer")
      .meta({ description: "Kind of the cert-manager issuer." }),
  })
  .meta({
    description:
      "A cert-manager issuer that issues the certificate into a Secret the operator names.",
  });

const ingress = z
  .object({
    host: patternedString(
      dnsHostname,
      "ingress.host must be a lower-case DNS host name of two or more labels (letters, digits and '-', separated by '.'), optionally starting with '*.', for example money.example.com",
      253,
    ).meta({
      description: "Public DNS host name of the tenant's app, for example money.example.com.",
    }),
    className: objectName("ingress.className", "nginx")
      .optional()
      .meta({ description: "IngressClass to use; the cluster default when omitted." }),
    tls: z
      .object({
        secretName: objectName("ingress.tls.secretName", "money-example-tls")
          .optional()
          .meta({ description: "An existing TLS Secret for the host." }),
        issuerRef: issuerRef.optional(),
      })
      .optional()
      .meta({
        description:
          "Serve HTTPS: from an existing Secret, or from a certificate cert-manager issues.",
        ...celRules({
          rule: "!(has(self.secretName) && has(self.issuerRef))",
          message: "set tls.secretName or tls.issuerRef, not both",
        }),
      }),
    annotations: z.record(z.string(), z.string()).optional().meta({
      description: "Extra annotations for the Ingress, for example for the ingress controller.",
    }),
  })
  .meta({ description: "Expose the app outside the cluster through an Ingress." });

const postgres = z
  .object({
    version: z
      .union(postgresVersions.map((v) => z.literal(v)))
      .default(18)
      .meta({
        description:
          "PostgreSQL major version. Raising it upgrades the data: a verified backup first (when spec.backup is set), " +
          "then every database is copied into the new major and compared table by table, the old data kept " +
          "untouched. Until the new server and every app replica run on it (status.postgres.rollbackVersion is " +
          "set meanwhile), setting it back rolls back to the old data; after that it can no longer be lowered.",
      }),
    storage: z
      .object({
        size: z
          .string()
          .refine(isQuantity, { message: storageSizeMessage })
          .default("10Gi")
          .meta({
            description:
              "Size of the database volume. It may grow (when the StorageClass allows), never shrink.",
            // quantity() on a value that is no quantity fails with the library's regex as the
            // message, so the comparisons leave such values to the isQuantity rule.
            ...celRules(
              { rule: "isQuantity(self)", message: storageSizeMessage },
              {
                rule: "!isQuantity(self) || !isQuantity(oldSelf) || quantity(self).compareTo(quantity(oldSelf)) >= 0",
                message: "postgres.storage.size cannot shrink",
              },
              {
                rule: "!isQuantity(self) || quantity(self).compareTo(quantity('256Mi')) >= 0",
                message: "postgres.storage.size must be at least 256Mi, for example 10Gi",
              },
            ),
          }),
        storageClassName: objectName("postgres.storage.storageClassName", "fast-ssd")
          .optional()
          .meta({ description: "StorageClass of the volume; the cluster default when omitted." }),
      })
      .default({ size: "10Gi" })
      .meta({
        description: "The database volume.",
        ...celRules({
          rule: "has(self.storageClassName) == has(oldSelf.storageClassName) && (!has(self.storageClassName) || self.storageClassName == oldSelf.storageClassName)",
          message:
            "postgres.storage.storageClassName cannot change: the data volume keeps its class (back up, then restore into a new tenant)",
          fieldPath: ".storageClassName",
        }),
      }),
    resources: resourceRequirements.optional(),
  })
  .default({ version: 18, storage: { size: "10Gi" } })
  .meta({ description: "The tenant's PostgreSQL database." });

const redis = z
  .object({ resources: resourceRequirements.optional() })
  .default({})
  .meta({ description: "The tenant's Redis, which holds sessions only (no persistence)." });

const monitoring = z
  .object({
    serviceMonitor: z.boolean().default(true).meta({
      description: "Create a ServiceMonitor for the app when the Prometheus Operator is installed.",
    }),
    labels: z.record(z.string(), z.string()).optional().meta({
      description: "Extra labels for the ServiceMonitor, to match a Prometheus' selector.",
    }),
  })
  .default({ serviceMonitor: true })
  .meta({ description: "Prometheus monitoring of the app." });

/** A Kubernetes label selector, as NetworkPolicy peers take it. */
const labelSelector = z
  .object({
    matchLabels: z.record(z.string(), z.string()).optional(),
    matchExpressions: z
      .array(
        z.object({
          key: z.string().min(1).max(317),
          operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]),
          values: z.array(z.string().max(63)).optional(),
        }),
      )
      .optional(),
  })
  .meta({ description: "A label selector (matchLabels and matchExpressions); {} selects all." });

const networkPolicy = z
  .object({
    ingressNamespaceSelector: labelSelector.optional().meta({
      description:
        "Namespaces whose pods may reach the app's HTTP port (the ingress controller's); the operator's --ingress-namespace-labels when omitted.",
    }),
    monitoringNamespaceSelector: labelSelector.optional().meta({
      description:
        "Namespaces whose pods may scrape the app's metrics port (Prometheus'); the operator's --monitoring-namespace-labels when omitted.",
    }),
  })
  .meta({
    description:
      "Who may reach the tenant's app. PostgreSQL and Redis accept only the tenant's own pods, and open no connections.",
  });

/** The desired state of one tenant. Defaults are applied by the API server from this schema. */
export const financeTrackerSpec = z
  .object({
    app,
    ingress: ingress.optional(),
    postgres,
    redis,
    monitoring,
    deletionPolicy: z.enum(["Retain", "Delete"]).default("Retain").meta({
      description:
        "What happens to the database volume and the credentials Secret when this resource is deleted.",
    }),
    networkPolicy: networkPolicy.optional(),
    backup: backupSpec.optional(),
    restore: restoreSpec.optional(),
  })
  .meta({
    description: "The desired state of a tenant's finance tracker.",
    ...celRules({
      rule: "has(self.restore) == has(oldSelf.restore)",
      message: "restore can be set only when the FinanceTracker is created",
    }),
  });

const componentStatus = z.object({
  ready: z.boolean(),
  message: z.string().optional(),
});

/** PostgreSQL's running major and the upgrade in progress. */
const postgresStatus = z
  .object({
    version: z.int().meta({ description: "The major version whose data PostgreSQL runs on." }),
    rollbackVersion: z.int().optional().meta({
      description:
        "While an upgrade is not yet proven: the major whose untouched data spec.postgres.version may go back to.",
    }),
    upgrade: z
      .object({
        from: z.int(),
        to: z.int(),
        phase: z.enum(["BackingUp", "Stopping", "Copying", "Proving", "RollingBack", "Failed"]),
        message: z.string(),
      })
      .optional()
      .meta({ description: "The major upgrade in progress." }),
  })
  .meta({ description: "PostgreSQL's major version and its upgrade." });

/** The credentials rotation asked for with the fintrack.dev/rotate-credentials annotation. */
const credentialsStatus = z
  .object({
    rotation: z
      .object({
        request: z.string(),
        phase: z.enum(["Waiting", "Preparing", "RollingOut", "Finishing", "Failed"]),
        message: z.string(),
      })
      .optional()
      .meta({ description: "The rotation in progress (or waiting to start, or failed)." }),
    lastRotation: z
      .object({ request: z.string(), time: z.string() })
      .optional()
      .meta({ description: "The last rotation done: its request and when it finished." }),
  })
  .meta({ description: "The rotation of the PostgreSQL and Redis passwords." });

/** The observed state the operator reports. */
export const financeTrackerStatus = z
  .object({
    observedGeneration: z
      .int()
      .optional()
      .meta({ description: "The generation this status describes." }),
    phase: z
      .enum(["Pending", "Provisioning", "Ready", "Degraded", "Paused", "Deleting"])
      .optional()
      .meta({ description: "A one-word summary of the tenant's state." }),
    url: z.string().optional().meta({ description: "Where the tenant's people open the app." }),
    conditions: z
      .array(condition)
      .optional()
      .meta({ "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"] }),
    components: z
      .object({ postgres: componentStatus, redis: componentStatus, app: componentStatus })
      .partial()
      .optional()
      .meta({ description: "Readiness of each part of the tenant." }),
    lastBackup: lastBackupStatus.optional(),
    postgres: postgresStatus.optional(),
    credentials: credentialsStatus.optional(),
  })
  .meta({ description: "The observed state of a tenant's finance tracker." });

/** The spec as the user writes it (fields with defaults may be absent). */
export type FinanceTrackerSpecInput = z.input<typeof financeTrackerSpec>;
/** The spec with every default applied, as the operator works with it. */
export type FinanceTrackerSpec = z.output<typeof financeTrackerSpec>;
export type FinanceTrackerStatus = z.output<typeof financeTrackerStatus>;
export type Condition = z.output<typeof condition>;
export type Quantity = z.output<typeof quantity>;
export type ResourceRequirements = z.output<typeof resourceRequirements>;

/** A FinanceTracker as read from the API server. */
export interface FinanceTracker {
  apiVersion: typeof apiVersion;
  kind: typeof kind;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  spec: FinanceTrackerSpec;
  status?: FinanceTrackerStatus;
}
