import type { V1Ingress, V1IngressTLS } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { ports } from "../../context.ts";
import { childMetadata, childNames } from "../../names.ts";

type IngressSpec = NonNullable<FinanceTracker["spec"]["ingress"]>;

/**
 * Where the tenant's people open the app: the public host when an Ingress exposes it (https when
 * TLS is configured), else the app Service's in-cluster address.
 */
export function tenantUrl(tracker: FinanceTracker): string {
  const ingress = tracker.spec.ingress;
  if (ingress) {
    return `${ingress.tls ? "https" : "http"}://${ingress.host}`;
  }
  const service = childNames(tracker.metadata.name).app;
  return `http://${service}.${tracker.metadata.namespace}.svc:${ports.appHttp}`;
}

/** The Ingress that exposes the app Service's http port on the tenant's host; none without spec.ingress. */
export function buildIngress(tracker: FinanceTracker): V1Ingress | undefined {
  const ingress = tracker.spec.ingress;
  if (!ingress) {
    return undefined;
  }
  const names = childNames(tracker.metadata.name);
  const annotations = ingressAnnotations(ingress);
  const tls = ingressTls(ingress, names.tlsSecret);
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: childMetadata(
      tracker,
      "app",
      names.app,
      Object.keys(annotations).length > 0 ? { annotations } : {},
    ),
    spec: {
      ...(ingress.className ? { ingressClassName: ingress.className } : {}),
      rules: [
        {
          host: ingress.host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: names.app, port: { name: "http" } } },
              },
            ],
          },
        },
      ],
      ...(tls ? { tls } : {}),
    },
  };
}

/** The user's annotations plus, with an issuerRef, the one cert-manager's ingress-shim acts on. */
function ingressAnnotations(ingress: IngressSpec): Record<string, string> {
  const issuer = ingress.tls?.issuerRef;
  if (!issuer) {
    return { ...ingress.annotations };
  }
  const key =
    issuer.kind === "ClusterIssuer" ? "cert-manager.io/cluster-issuer" : "cert-manager.io/issuer";
  // Ours last: the issuer the spec names must win over a stray user annotation.
  return { ...ingress.annotations, [key]: issuer.name };
}

/**
 * The TLS block: the user's Secret, or the one cert-manager issues into. With `tls: {}` the host
 * is served over HTTPS with the ingress controller's default certificate.
 */
function ingressTls(ingress: IngressSpec, tlsSecret: string): V1IngressTLS[] | undefined {
  const tls = ingress.tls;
  if (!tls) {
    return undefined;
  }
  const secretName = tls.secretName ?? (tls.issuerRef ? tlsSecret : undefined);
  return [{ hosts: [ingress.host], ...(secretName ? { secretName } : {}) }];
}
