import { Writable } from "node:stream";
import { CoreV1Api, type KubernetesObject } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import { adminKubeConfig } from "../../test/harness/cluster.ts";
import { eventually } from "../../test/harness/eventually.ts";
import { useNamespace } from "../../test/harness/namespace.ts";
import { KubeApi } from "./api.ts";
import { WatchedKind } from "./informer.ts";

describe("WatchedKind on the real API server", () => {
  const ns = useNamespace("inf");
  const kc = adminKubeConfig(inject("cluster").kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const lines: string[] = [];
  const log = pino(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const seen: KubernetesObject[] = [];
  const watched = new WatchedKind({
    kubeConfig: kc,
    api: new KubeApi(kc),
    kind: { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps" },
    namespaces: [],
    labelSelector: "fintrack.dev/test-informer=yes",
    onChange: (o) => seen.push(o),
    log,
    silenceMs: 1500,
  });
  afterAll(() => watched.stop());

  const create = (name: string) =>
    core.createNamespacedConfigMap({
      namespace: ns.name,
      body: {
        metadata: { name, labels: { "fintrack.dev/test-informer": "yes" } },
        data: { a: "1" },
      },
    });

  it("lists, stamps the kind on listed items, and filters by label", async () => {
    await create("before-start");
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name: "unlabelled" } },
    });
    await watched.start();
    expect(watched.hasSynced()).toBe(true);
    const listed = watched.get(ns.name, "before-start");
    expect(listed?.kind).toBe("ConfigMap");
    expect(listed?.apiVersion).toBe("v1");
    expect(watched.get(ns.name, "unlabelled")).toBeUndefined();
  });

  it("restarts a silent watch and keeps delivering changes afterwards", async () => {
    await eventually(
      "a watchdog restart",
      () => {
        expect(lines.join("")).toContain("watch silent too long; restarting it");
      },
      { timeoutMs: 15_000 },
    );
    await create("after-restart");
    await eventually(
      "the new ConfigMap delivered",
      () => {
        expect(seen.some((o) => o.metadata?.name === "after-restart")).toBe(true);
        expect(watched.get(ns.name, "after-restart")).toBeDefined();
      },
      { timeoutMs: 15_000 },
    );
  });
});

describe("WatchedKind with a slim function", () => {
  const ns = useNamespace("slim");
  const kc = adminKubeConfig(inject("cluster").kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const events: string[] = [];
  const watched = new WatchedKind({
    kubeConfig: kc,
    api: new KubeApi(kc),
    kind: { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps" },
    namespaces: [ns.name],
    labelSelector: "fintrack.dev/test-slim=yes",
    slim: (o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata }),
    onChange: (o, event) => events.push(`${event} ${o.metadata?.name ?? ""}`),
    log: pino({ level: "silent" }),
    silenceMs: 60_000,
  });
  afterAll(() => watched.stop());

  const body = (data: string) => ({
    metadata: { name: "big", labels: { "fintrack.dev/test-slim": "yes" } },
    data: { payload: data },
  });

  it("keeps only the slim version of listed and watched objects, and names each event", async () => {
    await core.createNamespacedConfigMap({ namespace: ns.name, body: body("listed") });
    await watched.start();
    expect(watched.get(ns.name, "big")).not.toHaveProperty("data");
    await core.replaceNamespacedConfigMap({
      name: "big",
      namespace: ns.name,
      body: body("watched"),
    });
    await eventually("the update cached, slim", () => {
      expect(events).toContain("update big");
      const cached = watched.get(ns.name, "big");
      expect(cached?.metadata?.name).toBe("big");
      expect(cached).not.toHaveProperty("data");
    });
    await core.deleteNamespacedConfigMap({ name: "big", namespace: ns.name });
    await eventually("the delete seen", () => {
      expect(events).toEqual(["add big", "update big", "delete big"]);
      expect(watched.get(ns.name, "big")).toBeUndefined();
    });
  });
});
