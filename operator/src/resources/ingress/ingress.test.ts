import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { buildIngress, tenantUrl } from "./ingress.ts";

const host = "money.acme.example";

describe("buildIngress", () => {
  it("builds no Ingress without spec.ingress", () => {
    expect(buildIngress(aTracker())).toBeUndefined();
  });

  it("routes every path on the host to the app Service's http port", () => {
    const ingress = buildIngress(aTracker({ spec: { ingress: { host } } }));

    expect(ingress?.spec?.rules).toEqual([
      {
        host,
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: "acme-app", port: { name: "http" } } },
            },
          ],
        },
      },
    ]);
  });

  it("sets the IngressClass only when one is given", () => {
    const withClass = buildIngress(aTracker({ spec: { ingress: { host, className: "nginx" } } }));
    const withoutClass = buildIngress(aTracker({ spec: { ingress: { host } } }));

    expect(withClass?.spec?.ingressClassName).toBe("nginx");
    expect(withoutClass?.spec).not.toHaveProperty("ingressClassName");
  });

  it("carries the user's annotations", () => {
    const annotations = { "nginx.ingress.kubernetes.io/proxy-body-size": "10m" };
    const ingress = buildIngress(aTracker({ spec: { ingress: { host, annotations } } }));

    expect(ingress?.metadata?.annotations).toEqual(annotations);
  });

  it("has no TLS block when TLS is not configured", () => {
    const ingress = buildIngress(aTracker({ spec: { ingress: { host } } }));

    expect(ingress?.spec).not.toHaveProperty("tls");
    expect(ingress?.metadata).not.toHaveProperty("annotations");
  });

  it("serves the host with an existing TLS Secret", () => {
    const ingress = buildIngress(
      aTracker({ spec: { ingress: { host, tls: { secretName: "wildcard-acme" } } } }),
    );

    expect(ingress?.spec?.tls).toEqual([{ hosts: [host], secretName: "wildcard-acme" }]);
    expect(ingress?.metadata?.annotations).toBeUndefined();
  });

  it("adds the cluster-issuer annotation for a ClusterIssuer and names the TLS Secret", () => {
    const ingress = buildIngress(
      aTracker({
        spec: {
          ingress: { host, tls: { issuerRef: { name: "letsencrypt", kind: "ClusterIssuer" } } },
        },
      }),
    );

    expect(ingress?.metadata?.annotations).toEqual({
      "cert-manager.io/cluster-issuer": "letsencrypt",
    });
    expect(ingress?.spec?.tls).toEqual([{ hosts: [host], secretName: "acme-tls" }]);
  });

  it("adds the issuer annotation for a namespaced Issuer", () => {
    const ingress = buildIngress(
      aTracker({
        spec: { ingress: { host, tls: { issuerRef: { name: "acme-ca", kind: "Issuer" } } } },
      }),
    );

    expect(ingress?.metadata?.annotations).toEqual({ "cert-manager.io/issuer": "acme-ca" });
  });

  it("lets the issuer the spec names win over a user's cert-manager annotation", () => {
    const ingress = buildIngress(
      aTracker({
        spec: {
          ingress: {
            host,
            annotations: { "cert-manager.io/cluster-issuer": "stale", team: "money" },
            tls: { issuerRef: { name: "letsencrypt" } },
          },
        },
      }),
    );

    expect(ingress?.metadata?.annotations).toEqual({
      "cert-manager.io/cluster-issuer": "letsencrypt",
      team: "money",
    });
  });
});

describe("tenantUrl", () => {
  it("serves https URLs when TLS is configured", () => {
    const tracker = aTracker({ spec: { ingress: { host, tls: { secretName: "wildcard" } } } });

    expect(tenantUrl(tracker)).toBe("https://money.acme.example");
  });

  it("serves http URLs on the host when the Ingress has no TLS", () => {
    expect(tenantUrl(aTracker({ spec: { ingress: { host } } }))).toBe("http://money.acme.example");
  });

  it("falls back to the app Service's cluster address without an Ingress", () => {
    expect(tenantUrl(aTracker())).toBe("http://acme-app.tenant-acme.svc:8080");
  });
});
