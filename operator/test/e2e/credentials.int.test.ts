import { CoreV1Api, type V1Secret } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { credentialsFingerprintAnnotation } from "../../src/credentials-guard.ts";
import { statusCode } from "../harness/api-errors.ts";
import { eventsAbout } from "../harness/backups.ts";
import { adminKubeConfig, kubectl } from "../harness/cluster.ts";
import { eventually } from "../harness/eventually.ts";
import { installCrd } from "../harness/manifests.ts";
import { clusterRunsControllers, useNamespace } from "../harness/namespace.ts";
import { startOperatorProcess, type OperatorProcess } from "../harness/operator.ts";
import {
  applyTracker,
  conditionOf,
  readTracker,
  trackerResource,
  waitReady,
} from "../harness/trackers.ts";

/**
 * The credentials Secret must never disagree with the data volume: PostgreSQL keeps the password
 * it was initialised with. Each case here was a way to lose that (issue 15).
 */
describe.skipIf(!clusterRunsControllers())("a tenant's credentials and its data", () => {
  const ns = useNamespace("creds");
  const core = adminKubeConfig(inject("cluster").kubeconfig).makeApiClient(CoreV1Api);
  let operator: OperatorProcess;

  const spec = (name: string) => ({ app: { adminEmail: `owner@${name}.example`, replicas: 1 } });
  const readSecret = (name: string) =>
    core.readNamespacedSecret({ name: `${name}-credentials`, namespace: ns.name });
  const claimOf = (name: string) =>
    core.readNamespacedPersistentVolumeClaim({
      name: `data-${name}-postgres-0`,
      namespace: ns.name,
    });
  /** The Secret as a person would keep it to put back: data and labels, nothing server-side. */
  const keepable = (secret: V1Secret): V1Secret => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: secret.metadata?.name ?? "",
      namespace: ns.name,
      labels: secret.metadata?.labels ?? {},
    },
    type: secret.type ?? "Opaque",
    data: secret.data ?? {},
  });
  const recovered = (name: string) =>
    eventually(`${name} no longer Degraded`, async () => {
      const tracker = await readTracker(ns.name, name);
      expect(conditionOf(tracker, "Degraded")?.status).toBe("False");
      expect(conditionOf(tracker, "Ready")?.status).toBe("True");
    });
  const degradedBy = (name: string, reason: string) =>
    eventually(`${name} Degraded with ${reason}`, async () => {
      const degraded = conditionOf(await readTracker(ns.name, name), "Degraded");
      expect(degraded).toMatchObject({ status: "True", reason });
      return degraded?.message ?? "";
    });

  beforeAll(async () => {
    installCrd();
    operator = await startOperatorProcess({
      watchNamespaces: [ns.name],
      leaseName: `creds-${ns.name}`,
    });
  });
  afterAll(async () => {
    const code = await operator.stop();
    if (code !== 0) console.error(operator.logs());
  });

  it("keeps every Retain tenant's Secret through a foreground deletion; re-created, a tenant has the same passwords", async () => {
    const names = ["fg-a", "fg-b", "fg-c", "fg-d", "fg-e", "fg-f"];
    for (const name of names) applyTracker(ns.name, name, spec(name));
    for (const name of names) await waitReady(ns.name, name);
    const before = new Map<string, V1Secret["data"]>();
    for (const name of names) before.set(name, (await readSecret(name)).data);

    // What Argo CD's prune and `kubectl delete --cascade=foreground` do: dependents are deleted
    // while the owner still waits on our finalizer.
    kubectl([
      "delete",
      trackerResource,
      ...names,
      "-n",
      ns.name,
      "--cascade=foreground",
      "--timeout=120s",
    ]);
    for (const name of names) {
      expect((await readSecret(name)).data, `${name}-credentials`).toEqual(before.get(name));
      expect((await claimOf(name)).metadata?.deletionTimestamp).toBeUndefined();
    }

    applyTracker(ns.name, "fg-a", spec("fg-a"));
    await waitReady(ns.name, "fg-a");
    expect((await readSecret("fg-a")).data).toEqual(before.get("fg-a"));
  });

  it("records the PostgreSQL password's fingerprint on the data claim, never the password", async () => {
    applyTracker(ns.name, "fp", spec("fp"));
    await waitReady(ns.name, "fp");
    const claim = await eventually("the claim's fingerprint", async () => {
      const found = await claimOf("fp");
      expect(found.metadata?.annotations?.[credentialsFingerprintAnnotation]).toMatch(
        /^[0-9a-f]{16}$/,
      );
      return found;
    });
    const password = Buffer.from(
      (await readSecret("fp")).data?.["postgres-password"] ?? "",
      "base64",
    ).toString();
    expect(password.length).toBeGreaterThan(20);
    expect(JSON.stringify(claim.metadata)).not.toContain(password);
  });

  it("reports a deleted Secret instead of generating passwords that cannot open the data, and recovers when it is put back", async () => {
    applyTracker(ns.name, "lost", spec("lost"));
    await waitReady(ns.name, "lost");
    await eventually("the claim's fingerprint", async () => {
      expect((await claimOf("lost")).metadata?.annotations).toHaveProperty([
        credentialsFingerprintAnnotation,
      ]);
    });
    const kept = keepable(await readSecret("lost"));

    await core.deleteNamespacedSecret({ name: "lost-credentials", namespace: ns.name });
    const message = await degradedBy("lost", "CredentialsMissing");
    expect(message).toMatch(/Secret lost-credentials is missing, but PersistentVolumeClaim/);
    await eventually("a CredentialsMissing Event", async () => {
      const events = await eventsAbout(ns.name, "lost");
      expect(events.map((e) => [e.type, e.reason])).toContainEqual([
        "Warning",
        "CredentialsMissing",
      ]);
    });
    // Still no Secret: new passwords would lock the app out of its own data.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(statusCode(await readSecret("lost").catch((e: unknown) => e))).toBe(404);

    await core.createNamespacedSecret({ namespace: ns.name, body: kept });
    await recovered("lost");
    expect((await readSecret("lost")).data).toEqual(kept.data);
  });

  it("reports an edited PostgreSQL password, and recovers when the original is back", async () => {
    applyTracker(ns.name, "edited", spec("edited"));
    await waitReady(ns.name, "edited");
    await eventually("the claim's fingerprint", async () => {
      expect((await claimOf("edited")).metadata?.annotations).toHaveProperty([
        credentialsFingerprintAnnotation,
      ]);
    });
    const original = await readSecret("edited");
    const tampered = Buffer.from("a password somebody typed").toString("base64");
    const setPostgresPassword = (encoded: string) =>
      kubectl([
        "patch",
        "secret",
        "edited-credentials",
        "-n",
        ns.name,
        "--type=merge",
        "-p",
        JSON.stringify({ data: { "postgres-password": encoded } }),
      ]);
    setPostgresPassword(tampered);

    const message = await degradedBy("edited", "CredentialsMismatch");
    expect(message).toMatch(/is not the one PersistentVolumeClaim data-edited-postgres-0/);
    expect(message).not.toContain("a password somebody typed");

    setPostgresPassword(original.data?.["postgres-password"] ?? "");
    await recovered("edited");
  });

  it("rotates the passwords on request, step by step, and keeps the data claim's fingerprint in step", async () => {
    applyTracker(ns.name, "rot", spec("rot"));
    await waitReady(ns.name, "rot");
    const fingerprint = async () =>
      eventually("the claim's fingerprint", async () => {
        const value = (await claimOf("rot")).metadata?.annotations?.[
          credentialsFingerprintAnnotation
        ];
        expect(value).toMatch(/^[0-9a-f]{16}$/);
        return value ?? "";
      });
    const before = { secret: await readSecret("rot"), fingerprint: await fingerprint() };
    const value = (secret: V1Secret, key: string) =>
      Buffer.from(secret.data?.[key] ?? "", "base64").toString();

    kubectl(["annotate", "ft", "rot", "-n", ns.name, "fintrack.dev/rotate-credentials=first"]);
    // kwok completes the Jobs' pods at once; what the scripts do is proven on the real node.
    const done = await eventually("the rotation done", async () => {
      const tracker = await readTracker(ns.name, "rot");
      expect(tracker.status?.credentials?.lastRotation?.request).toBe("first");
      expect(tracker.status?.credentials?.rotation).toBeUndefined();
      return tracker;
    });
    expect(conditionOf(done, "Degraded")?.status).toBe("False");
    const after = await readSecret("rot");
    for (const key of ["postgres-password", "redis-password"]) {
      expect(value(after, key)).not.toBe(value(before.secret, key));
    }
    expect(value(after, "database-url")).toContain(
      encodeURIComponent(value(after, "postgres-password")),
    );
    // Nothing of the rotation is left behind: no old password, no Job, no extra policy.
    expect(Object.keys(after.data ?? {}).filter((k) => /previous|next|verifier/.test(k))).toEqual(
      [],
    );
    expect(after.metadata?.annotations?.["fintrack.dev/rotated-request"]).toBe("first");
    expect(await fingerprint()).not.toBe(before.fingerprint);
    await eventually("the rotation's Jobs pruned", () => {
      const jobs = kubectl(["get", "jobs", "-n", ns.name, "-o", "name"]);
      expect(jobs).not.toMatch(/rot-rotate-/);
    });
    // The app rolled onto the new passwords: its template names the rotation.
    const template = JSON.parse(
      kubectl([
        "get",
        "deployment",
        "rot-app",
        "-n",
        ns.name,
        "-o",
        "jsonpath={.spec.template.metadata.annotations}",
      ]),
    ) as Record<string, string>;
    expect(template["fintrack.dev/credentials-rotation"]).toBe("first");
    const reasons = (await eventsAbout(ns.name, "rot")).map((e) => e.reason);
    expect(reasons).toEqual(
      expect.arrayContaining(["CredentialsRotationStarted", "CredentialsRotated"]),
    );

    // The same value again asks for nothing; a new value rotates again.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(value(await readSecret("rot"), "postgres-password")).toBe(
      value(after, "postgres-password"),
    );
    kubectl([
      "annotate",
      "ft",
      "rot",
      "-n",
      ns.name,
      "--overwrite",
      "fintrack.dev/rotate-credentials=second",
    ]);
    await eventually("the second rotation done", async () => {
      const tracker = await readTracker(ns.name, "rot");
      expect(tracker.status?.credentials?.lastRotation?.request).toBe("second");
    });
    expect(value(await readSecret("rot"), "postgres-password")).not.toBe(
      value(after, "postgres-password"),
    );
    await recovered("rot");
  });

  it("takes the rotate-credentials annotation a tenant is created with as done, not as a request", async () => {
    const manifest = {
      apiVersion: "fintrack.dev/v1alpha1",
      kind: "FinanceTracker",
      metadata: {
        name: "born",
        namespace: ns.name,
        annotations: { "fintrack.dev/rotate-credentials": "kept-in-git" },
      },
      spec: spec("born"),
    };
    kubectl(["apply", "-f", "-"], JSON.stringify(manifest));
    await waitReady(ns.name, "born");
    const tracker = await readTracker(ns.name, "born");
    expect(tracker.status?.credentials?.lastRotation?.request).toBe("kept-in-git");
    expect(tracker.status?.credentials?.rotation).toBeUndefined();
    const reasons = (await eventsAbout(ns.name, "born")).map((e) => e.reason);
    expect(reasons).not.toContain("CredentialsRotationStarted");
  });
});
