import type { V1Deployment, V1Probe } from "@kubernetes/client-node";
import type { FinanceTracker } from "../../api/v1alpha1.ts";
import { credentialKeys, ports, type BuildContext } from "../../context.ts";
import { childLabels, childMetadata, childNames, selectorLabels } from "../../names.ts";
import { withDefaults } from "../resources.ts";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../security.ts";

/** The `redis` user of the official Redis images. */
const redisId = 999;

const defaultResources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } };

/**
 * Redis answers commands. REDISCLI_AUTH hands redis-cli the password through its environment,
 * off the command line. NOAUTH is an answer too: after a credentials rotation the password this
 * container started with is no longer valid, and the server is no less alive for it.
 */
function ping(): V1Probe["exec"] {
  return {
    command: [
      "sh",
      "-c",
      'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli --no-auth-warning ping | grep -qE "^(PONG|NOAUTH)"',
    ],
  };
}

/**
 * The tenant's Redis. It holds sessions only, so it keeps nothing on disk by design: a restart
 * signs people out and loses no data.
 */
export function buildRedisDeployment(tracker: FinanceTracker, ctx: BuildContext): V1Deployment {
  const name = tracker.metadata.name;
  const names = childNames(name);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: childMetadata(tracker, "redis", names.redis),
    spec: {
      replicas: 1,
      // Never two Redis at once: sessions written to the old one would vanish with it.
      strategy: { type: "Recreate" },
      selector: { matchLabels: selectorLabels(name, "redis") },
      template: {
        metadata: { labels: childLabels(name, "redis") },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: restrictedPodSecurityContext(redisId, redisId),
          containers: [
            {
              name: "redis",
              image: ctx.images.redis,
              // The kubelet expands $(REDIS_PASSWORD) from env, so the spec never holds the password.
              args: [
                "--requirepass",
                "$(REDIS_PASSWORD)",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "no",
              ],
              env: [
                {
                  name: "REDIS_PASSWORD",
                  valueFrom: {
                    secretKeyRef: {
                      name: names.credentialsSecret,
                      key: credentialKeys.redisPassword,
                    },
                  },
                },
              ],
              ports: [{ name: "redis", containerPort: ports.redis, protocol: "TCP" }],
              resources: withDefaults(tracker.spec.redis.resources, defaultResources),
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [
                { name: "data", mountPath: "/data" },
                { name: "tmp", mountPath: "/tmp" },
              ],
              readinessProbe: {
                exec: ping(),
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              livenessProbe: {
                exec: ping(),
                initialDelaySeconds: 10,
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 6,
              },
            },
          ],
          volumes: [
            { name: "data", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
          ],
        },
      },
    },
  };
}
