import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { maxNameLength } from "../src/api/crd.ts";
import {
  apiVersion,
  group,
  kind,
  plural,
  version,
  type FinanceTracker,
} from "../src/api/v1alpha1.ts";
import { statusCode, statusMessage } from "./harness/api-errors.ts";
import { adminKubeConfig, kubectl } from "./harness/cluster.ts";
import { eventually } from "./harness/eventually.ts";
import { installCrd } from "./harness/manifests.ts";
import { useNamespace } from "./harness/namespace.ts";

type Json = Record<string, unknown>;

const adminEmail = "owner@acme.example";
const host = "money.acme.example";

/** One way to get a FinanceTracker wrong, and where and how the API server must say so. */
interface Mistake {
  /** Completes "refuses a tracker that ..."; vitest cuts interpolated values at 40 characters. */
  mistake: string;
  name: string;
  spec: Json;
  /** The field path the error is reported on. */
  field: string;
  /** A phrase of the error that tells the user what is wrong with the field. */
  says: string;
}

/**
 * What a raw OpenAPI `pattern` (or a CEL quantity() on a bad value) puts in a message: the
 * apiserver's "should match", the regex itself, or its syntax. No refusal may show any of it.
 */
const regexSyntax = /should match|regular expression|[\^$\\{}|]|\(\?/;

const mistakes: Mistake[] = [
  {
    mistake: "omits the required adminEmail",
    name: "no-admin-email",
    spec: { app: {} },
    field: "spec.app.adminEmail",
    says: "Required value",
  },
  {
    mistake: "has an adminEmail that is no e-mail",
    name: "bad-admin-email",
    spec: { app: { adminEmail: "owner.acme.example" } },
    field: "spec.app.adminEmail",
    says: "app.adminEmail must be an e-mail address, for example owner@example.com",
  },
  {
    mistake: "has an image with a space in it",
    name: "bad-image",
    spec: { app: { adminEmail, image: "ghcr.io/acme/fintrack 1.0" } },
    field: "spec.app.image",
    says: "app.image must be a container image reference without spaces",
  },
  {
    mistake: "asks for 0 app replicas",
    name: "zero-replicas",
    spec: { app: { adminEmail, replicas: 0 } },
    field: "spec.app.replicas",
    says: "should be greater than or equal to 1",
  },
  {
    mistake: 'writes baseCurrency "euro", not "EUR"',
    name: "bad-currency",
    spec: { app: { adminEmail, baseCurrency: "euro" } },
    field: "spec.app.baseCurrency",
    says: "app.baseCurrency must be a 3-letter ISO 4217 code in capitals, for example EUR or USD",
  },
  {
    mistake: 'sets signup to "maybe"',
    name: "bad-signup",
    spec: { app: { adminEmail, signup: "maybe" } },
    field: "spec.app.signup",
    says: 'Unsupported value: "maybe"',
  },
  {
    mistake: "asks for PostgreSQL 14",
    name: "postgres-14",
    spec: { app: { adminEmail }, postgres: { version: 14 } },
    field: "spec.postgres.version",
    says: "Unsupported value: 14",
  },
  {
    mistake: 'sizes its storage "ten gigs"',
    name: "bad-storage-size",
    spec: { app: { adminEmail }, postgres: { storage: { size: "ten gigs" } } },
    field: "spec.postgres.storage.size",
    says: "postgres.storage.size must be a size such as 10Gi",
  },
  {
    mistake: 'sizes its storage "10GB", not "10Gi"',
    name: "gb-storage-size",
    spec: { app: { adminEmail }, postgres: { storage: { size: "10GB" } } },
    field: "spec.postgres.storage.size",
    says: "postgres.storage.size must be a size such as 10Gi",
  },
  {
    mistake: "asks for a 1.5-byte database volume",
    name: "tiny-storage",
    spec: { app: { adminEmail }, postgres: { storage: { size: "1.5" } } },
    field: "spec.postgres.storage.size",
    says: "postgres.storage.size must be at least 256Mi",
  },
  {
    mistake: 'gives the ingress host "Bad_Host"',
    name: "bad-host",
    spec: { app: { adminEmail }, ingress: { host: "Bad_Host" } },
    field: "spec.ingress.host",
    says: "ingress.host must be a lower-case DNS host name",
  },
  {
    mistake: 'gives the ingress host "localhost", one label',
    name: "one-label-host",
    spec: { app: { adminEmail }, ingress: { host: "localhost" } },
    field: "spec.ingress.host",
    says: "for example money.example.com",
  },
  {
    mistake: 'uses the ingress class "Nginx"',
    name: "bad-ingress-class",
    spec: { app: { adminEmail }, ingress: { host, className: "Nginx" } },
    field: "spec.ingress.className",
    says: "ingress.className must be a lower-case name",
  },
  {
    mistake: 'names its TLS Secret "My_TLS"',
    name: "bad-tls-secret",
    spec: { app: { adminEmail }, ingress: { host, tls: { secretName: "My_TLS" } } },
    field: "spec.ingress.tls.secretName",
    says: "ingress.tls.secretName must be a lower-case name",
  },
  {
    mistake: 'uses the storage class "Fast_SSD"',
    name: "bad-storage-class",
    spec: { app: { adminEmail }, postgres: { storage: { storageClassName: "Fast_SSD" } } },
    field: "spec.postgres.storage.storageClassName",
    says: "postgres.storage.storageClassName must be a lower-case name",
  },
  {
    mistake: "asks for an ingress without a host",
    name: "no-host",
    spec: { app: { adminEmail }, ingress: {} },
    field: "spec.ingress.host",
    says: "Required value",
  },
  {
    mistake: "sets both tls.secretName and issuerRef",
    name: "tls-both",
    spec: {
      app: { adminEmail },
      ingress: { host, tls: { secretName: "acme-tls", issuerRef: { name: "letsencrypt" } } },
    },
    field: "spec.ingress.tls",
    says: "set tls.secretName or tls.issuerRef, not both",
  },
  {
    mistake: "sets minReplicas 5 over maxReplicas 3",
    name: "min-above-max",
    spec: { app: { adminEmail, autoscaling: { minReplicas: 5, maxReplicas: 3 } } },
    field: "spec.app.autoscaling.minReplicas",
    says: "minReplicas must not exceed maxReplicas",
  },
  {
    mistake: 'sets deletionPolicy "Keep"',
    name: "bad-deletion-policy",
    spec: { app: { adminEmail }, deletionPolicy: "Keep" },
    field: "spec.deletionPolicy",
    says: 'Unsupported value: "Keep"',
  },
  {
    mistake: "has a name starting with a digit",
    name: "1acme",
    spec: { app: { adminEmail } },
    field: "metadata.name",
    says: "must start with a letter",
  },
  {
    mistake: `has a name longer than ${maxNameLength} characters`,
    name: "a".repeat(maxNameLength + 1),
    spec: { app: { adminEmail } },
    field: "metadata.name",
    says: `at most ${maxNameLength} characters`,
  },
  {
    mistake: 'uses an issuer of kind "Certificate"',
    name: "bad-issuer-kind",
    spec: {
      app: { adminEmail },
      ingress: { host, tls: { issuerRef: { name: "letsencrypt", kind: "Certificate" } } },
    },
    field: "spec.ingress.tls.issuerRef.kind",
    says: 'Unsupported value: "Certificate"',
  },
  {
    mistake: 'requests "lots" of CPU',
    name: "bad-cpu-request",
    spec: { app: { adminEmail, resources: { requests: { cpu: "lots" } } } },
    field: "spec.app.resources.requests[cpu]",
    says: "must be a resource quantity",
  },
  {
    mistake: 'limits PostgreSQL to "1.5GB" of memory',
    name: "gb-memory-limit",
    spec: { app: { adminEmail }, postgres: { resources: { limits: { memory: "1.5GB" } } } },
    field: "spec.postgres.resources.limits[memory]",
    says: "must be a resource quantity",
  },
  {
    mistake: "fetches exchange rates from a URL with a password in it",
    name: "rates-with-credentials",
    spec: {
      app: {
        adminEmail,
        exchangeRates: { fetch: "Daily", source: "https://user:secret@rates.example/x.xml" },
      },
    },
    field: "spec.app.exchangeRates.source",
    says: "must be an http:// or https:// URL without credentials",
  },
  {
    mistake: 'fetches exchange rates "weekly"',
    name: "rates-weekly",
    spec: { app: { adminEmail, exchangeRates: { fetch: "Weekly" } } },
    field: "spec.app.exchangeRates.fetch",
    says: 'Unsupported value: "Weekly"',
  },
  {
    mistake: 'requests "half" a CPU for Redis',
    name: "bad-redis-request",
    spec: { app: { adminEmail }, redis: { resources: { requests: { cpu: "half" } } } },
    field: "spec.redis.resources.requests[cpu]",
    says: "must be a resource quantity",
  },
];

/** The status code and message of a request the API server must refuse. */
async function refusal(request: Promise<unknown>): Promise<{ code?: number; message: string }> {
  try {
    await request;
  } catch (error) {
    return { code: statusCode(error), message: statusMessage(error) };
  }
  throw new Error("the API server accepted what it should have refused");
}

describe("FinanceTracker admission", () => {
  const ns = useNamespace("adm");
  const custom = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CustomObjectsApi);
  const where = () => ({ group, version, plural, namespace: ns.name });

  function create(name: string, spec: Json): Promise<FinanceTracker> {
    const body = { apiVersion, kind, metadata: { name }, spec };
    return custom.createNamespacedCustomObject({ ...where(), body }) as Promise<FinanceTracker>;
  }

  function patchSpec(name: string, spec: Json): Promise<FinanceTracker> {
    return custom.patchNamespacedCustomObject(
      { ...where(), name, body: { spec } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    ) as Promise<FinanceTracker>;
  }

  beforeAll(async () => {
    installCrd();
    // Established can come a moment before the new resource is served.
    await eventually("FinanceTrackers served", () => custom.listNamespacedCustomObject(where()));
  });

  it.each(mistakes)(
    "refuses a tracker that $mistake, naming $field",
    async ({ name, spec, field, says }) => {
      const { code, message } = await refusal(create(name, spec));
      expect(code).toBe(422);
      expect(message).toContain(`${field}: `);
      expect(message).toContain(says);
      expect(message, "no regex in the message").not.toMatch(regexSyntax);
    },
  );

  it("accepts the sizes, quantities, names and hosts people write", async () => {
    const app = { adminEmail };
    const valid: Json[] = [
      { app, postgres: { storage: { size: "10Gi", storageClassName: "fast-ssd" } } },
      {
        app,
        postgres: { storage: { size: "300M" } },
        redis: { resources: { limits: { memory: "1.5Gi" } } },
      },
      {
        app: {
          ...app,
          resources: { requests: { cpu: "500m", memory: "256Mi" }, limits: { cpu: 2 } },
        },
      },
      { app: { ...app, image: "ghcr.io/acme/fintrack@sha256:0123abcd", baseCurrency: "USD" } },
      {
        app,
        ingress: { host: "app.example.com", className: "nginx", tls: { secretName: "app-tls" } },
      },
      { app, ingress: { host: "*.money.example.com" } },
    ];
    for (const [i, spec] of valid.entries()) await create(`valid-${i}`, spec);
  });

  it("accepts the minimal tracker, fills in the documented defaults and prunes unknown fields", async () => {
    await create("acme", { app: { adminEmail, colour: "teal" } });
    const stored = (await custom.getNamespacedCustomObject({
      ...where(),
      name: "acme",
    })) as FinanceTracker;
    expect(stored.spec.app).not.toHaveProperty("colour");
    expect(stored.spec).toEqual({
      app: { adminEmail, replicas: 2, baseCurrency: "EUR", signup: "closed", locale: "en" },
      postgres: { version: 18, storage: { size: "10Gi" } },
      redis: {},
      monitoring: { serviceMonitor: true },
      deletionPolicy: "Retain",
    });
  });

  it("refuses shrinking postgres.storage.size and accepts growing it", async () => {
    await create("storage", { app: { adminEmail }, postgres: { storage: { size: "20Gi" } } });
    const { code, message } = await refusal(
      patchSpec("storage", { postgres: { storage: { size: "10Gi" } } }),
    );
    expect(code).toBe(422);
    expect(message).toContain("spec.postgres.storage.size: ");
    expect(message).toContain("postgres.storage.size cannot shrink");

    const grown = await patchSpec("storage", { postgres: { storage: { size: "30Gi" } } });
    expect(grown.spec.postgres.storage.size).toBe("30Gi");
  });

  function patchStatus(name: string, status: Json): Promise<unknown> {
    return custom.patchNamespacedCustomObjectStatus(
      { ...where(), name, body: { status } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }

  it("refuses lowering postgres.version below the data's major, except back to an unproven upgrade's", async () => {
    await create("pg-18", { app: { adminEmail }, postgres: { version: 18 } });
    await patchStatus("pg-18", { postgres: { version: 18 } });
    const { code, message } = await refusal(patchSpec("pg-18", { postgres: { version: 17 } }));
    expect(code).toBe(422);
    expect(message).toContain("spec.postgres.version: ");
    expect(message).toContain(
      "spec.postgres.version cannot go below the major PostgreSQL's data is on (status.postgres.version)",
    );

    // Upgraded from 16, not yet proven: back to 16 is a rollback; 17 never held this data.
    await patchStatus("pg-18", { postgres: { version: 18, rollbackVersion: 16 } });
    expect((await refusal(patchSpec("pg-18", { postgres: { version: 17 } }))).code).toBe(422);
    const rolledBack = await patchSpec("pg-18", { postgres: { version: 16 } });
    expect(rolledBack.spec.postgres.version).toBe(16);

    await create("pg-16", { app: { adminEmail }, postgres: { version: 16 } });
    await patchStatus("pg-16", { postgres: { version: 16 } });
    const raised = await patchSpec("pg-16", { postgres: { version: 17 } });
    expect(raised.spec.postgres.version).toBe(17);
    // Raised but not yet upgraded (the data is still 16's): going back is a cancel.
    const cancelled = await patchSpec("pg-16", { postgres: { version: 16 } });
    expect(cancelled.spec.postgres.version).toBe(16);
  });

  it("refuses changing adminEmail, which named the first owner at creation", async () => {
    await create("owner", { app: { adminEmail } });
    const { code, message } = await refusal(
      patchSpec("owner", { app: { adminEmail: "someone.else@acme.example" } }),
    );
    expect(code).toBe(422);
    expect(message).toContain("spec.app.adminEmail: ");
    expect(message).toContain("app.adminEmail cannot change");
  });

  it("refuses changing, adding or removing the storage class of an existing volume", async () => {
    await create("classy", {
      app: { adminEmail },
      postgres: { storage: { size: "10Gi", storageClassName: "fast" } },
    });
    await create("classless", { app: { adminEmail } });
    for (const [name, storage] of [
      ["classy", { storageClassName: "slow" }],
      ["classy", { storageClassName: null }],
      ["classless", { storageClassName: "fast" }],
    ] as const) {
      const { code, message } = await refusal(patchSpec(name, { postgres: { storage } }));
      expect(code, `${name} ${JSON.stringify(storage)}`).toBe(422);
      expect(message).toContain("spec.postgres.storage.storageClassName: ");
      expect(message).toContain("storageClassName cannot change");
    }
    const grown = await patchSpec("classy", { postgres: { storage: { size: "20Gi" } } });
    expect(grown.spec.postgres.storage).toEqual({ size: "20Gi", storageClassName: "fast" });
  });

  it("documents postgres.version for kubectl explain", async () => {
    // The API server publishes the CRD's OpenAPI a moment after it is established.
    const explained = await eventually("kubectl explain to know FinanceTracker", () =>
      kubectl(["explain", "financetracker.spec.postgres.version"]),
    );
    expect(explained.replace(/\s+/g, " ")).toContain(
      "PostgreSQL major version. Raising it upgrades the data: a verified backup first",
    );
  });
});
