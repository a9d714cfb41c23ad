import type { V1NetworkPolicyEgressRule } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { buildBackupNetworkPolicy, s3Peer, s3Port } from "./network-policy.ts";

const credentialsSecretRef = { name: "acme-s3" };
const component = "app.kubernetes.io/component";
const world = [{ ipBlock: { cidr: "0.0.0.0/0" } }, { ipBlock: { cidr: "::/0" } }];
const namespaceNamed = (name: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});

/** A tenant in namespace tenant-acme backing up to `endpoint` (AWS when undefined). */
function backingUpTo(endpoint: string | undefined) {
  const s3 = { bucket: "bkt", credentialsSecretRef, ...(endpoint ? { endpoint } : {}) };
  return aTracker({ spec: { backup: { schedule: "0 3 * * *", destination: { s3 } } } });
}

/** The egress rules after PostgreSQL's and DNS's: the ones that reach buckets. */
function bucketRules(egress: V1NetworkPolicyEgressRule[] | undefined) {
  return (egress ?? []).filter((rule) =>
    (rule.ports ?? []).every((p) => p.port !== 5432 && p.port !== 53 && p.port !== 5353),
  );
}

describe("buildBackupNetworkPolicy", () => {
  const inClusterPolicy = () => {
    const spec = buildBackupNetworkPolicy(backingUpTo("http://minio.storage.svc:9000"))?.spec;
    if (!spec) throw new Error("no policy");
    return spec;
  };

  it("selects the backup pods and lets them accept nothing", () => {
    const spec = inClusterPolicy();
    expect(spec.podSelector?.matchLabels?.[component]).toBe("backup");
    expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
    expect(spec.ingress).toEqual([]);
  });

  it("lets backup pods reach only PostgreSQL, DNS and the bucket", () => {
    const [postgres, dns, openshiftDns, ...rest] = inClusterPolicy().egress ?? [];
    expect(postgres?.to).toHaveLength(1);
    expect(postgres?.to?.[0]?.podSelector?.matchLabels?.[component]).toBe("postgres");
    expect(postgres?.ports).toEqual([{ protocol: "TCP", port: 5432 }]);
    // Any resolver: CoreDNS pods, a node-local cache, host-network DNS.
    expect(dns).toEqual({
      ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
    });
    expect(openshiftDns?.to).toEqual([{ namespaceSelector: {} }]);
    expect(openshiftDns?.ports?.map((p) => p.port)).toEqual([5353, 5353]);
    expect(rest).toEqual([
      { to: [namespaceNamed("storage")], ports: [{ protocol: "TCP", port: 9000 }] },
    ]);
  });

  it.each<{ what: string; endpoint: string | undefined; to: object[]; port: number }>([
    { what: "AWS (no endpoint)", endpoint: undefined, to: world, port: 443 },
    { what: "an external host name", endpoint: "https://s3.eu.example.com", to: world, port: 443 },
    { what: "an external MinIO by IP", endpoint: "http://203.0.113.7:9000", to: world, port: 9000 },
    { what: "an IPv6 literal", endpoint: "http://[2001:db8::7]:9000", to: world, port: 9000 },
    // Two labels could as well be a public domain: not taken for a Service.
    {
      what: "<svc>.<ns> without .svc",
      endpoint: "http://minio.storage:9000",
      to: world,
      port: 9000,
    },
    {
      what: "an in-cluster Service, short form",
      endpoint: "http://minio.storage.svc:9000",
      to: [namespaceNamed("storage")],
      port: 9000,
    },
    {
      what: "an in-cluster Service, fully qualified",
      endpoint: "https://minio.object-store.svc.cluster.local",
      to: [namespaceNamed("object-store")],
      port: 443,
    },
    {
      what: "an in-cluster Service, fully qualified with the root dot, in capitals",
      endpoint: "http://MinIO.Storage.svc.cluster.local.:9000",
      to: [namespaceNamed("storage")],
      port: 9000,
    },
    {
      what: "a bare Service name, in the tenant's own namespace",
      endpoint: "http://minio:9000",
      to: [namespaceNamed("tenant-acme")],
      port: 9000,
    },
    {
      what: "a Service under another cluster domain (not recognised)",
      endpoint: "http://minio.storage.svc.corp.internal:9000",
      to: world,
      port: 9000,
    },
  ])("reaches $what on its endpoint's port", ({ endpoint, to, port }) => {
    const egress = buildBackupNetworkPolicy(backingUpTo(endpoint))?.spec?.egress;
    expect(bucketRules(egress)).toEqual([{ to, ports: [{ protocol: "TCP", port }] }]);
  });

  it("opens one rule per bucket namespace and one to the world when restore and backup differ", () => {
    const tracker = aTracker({
      spec: {
        backup: {
          schedule: "0 3 * * *",
          destination: {
            s3: { bucket: "bkt", endpoint: "http://minio.storage.svc:9000", credentialsSecretRef },
          },
        },
        restore: {
          from: {
            s3: {
              bucket: "old-bkt",
              endpoint: "https://s3.example.com:8443",
              credentialsSecretRef,
            },
          },
        },
      },
    });
    expect(bucketRules(buildBackupNetworkPolicy(tracker)?.spec?.egress)).toEqual([
      { to: [namespaceNamed("storage")], ports: [{ protocol: "TCP", port: 9000 }] },
      { to: world, ports: [{ protocol: "TCP", port: 8443 }] },
    ]);
  });

  it("names a port once when backup and restore share a bucket", () => {
    const s3 = { bucket: "bkt", endpoint: "http://minio.storage.svc:9000", credentialsSecretRef };
    const tracker = aTracker({
      spec: {
        backup: { schedule: "0 3 * * *", destination: { s3 } },
        restore: { from: { s3 } },
      },
    });
    expect(bucketRules(buildBackupNetworkPolicy(tracker)?.spec?.egress)).toEqual([
      { to: [namespaceNamed("storage")], ports: [{ protocol: "TCP", port: 9000 }] },
    ]);
  });

  it("is not built for a tenant with neither backup nor restore", () => {
    expect(buildBackupNetworkPolicy(aTracker())).toBeUndefined();
  });
});

describe("s3Port and s3Peer", () => {
  const base = {
    bucket: "bkt",
    region: "us-east-1",
    prefix: "",
    forcePathStyle: true,
    credentialsSecretRef: { name: "s", accessKeyIdKey: "a", secretAccessKeyKey: "b" },
  };

  it("uses 443 for AWS and the scheme's port otherwise", () => {
    expect(s3Port({ ...base })).toBe(443);
    expect(s3Port({ ...base, endpoint: "http://minio" })).toBe(80);
    expect(s3Port({ ...base, endpoint: "https://minio:8443" })).toBe(8443);
  });

  it("names the namespace only for Service hosts", () => {
    expect(s3Peer({ ...base, endpoint: "http://minio" }, "t")).toEqual({
      port: 80,
      namespace: "t",
    });
    expect(s3Peer({ ...base, endpoint: "http://10.0.0.5:9000" }, "t")).toEqual({ port: 9000 });
    expect(s3Peer({ ...base }, "t")).toEqual({ port: 443 });
  });
});
