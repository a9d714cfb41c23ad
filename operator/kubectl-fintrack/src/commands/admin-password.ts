import type { V1Secret } from "@kubernetes/client-node";
import { credentialKeys } from "../../../src/context.ts";
import { childNames } from "../../../src/names.ts";
import type { Command } from "../cli.ts";
import { resources } from "../cluster.ts";
import { readTenant } from "../tenants.ts";

/** A key of a Secret, decoded; undefined when the Secret lacks it. */
export function secretValue(secret: V1Secret, key: string): string | undefined {
  const encoded = secret.data?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, "base64").toString("utf8");
}

export const adminPasswordCommand: Command = {
  name: "admin-password",
  args: ["<tenant>"],
  summary: "Print the first owner's initial password, from the tenant's credentials Secret.",
  description: `Prints the generated initial password of spec.app.adminEmail's account (key ${credentialKeys.adminPassword}\nof the Secret <tenant>-credentials), and nothing else, so it can be piped. The owner should\nchange it after signing in: the Secret keeps the initial one.`,
  flags: {},
  examples: [
    "kubectl fintrack admin-password acme -n tenant-acme",
    "kubectl fintrack admin-password acme | wl-copy",
  ],
  run: async ({ args: [tenant = ""], cluster: connect, io }) => {
    const cluster = connect();
    const tracker = await readTenant(cluster, tenant);
    const name = childNames(tenant).credentialsSecret;
    const secret = await cluster.get<V1Secret>(resources.secrets, name);
    if (!secret)
      throw new Error(
        `the credentials Secret ${name} does not exist yet: the tenant is still being created`,
      );
    const password = secretValue(secret, credentialKeys.adminPassword);
    if (password === undefined)
      throw new Error(`the Secret ${name} has no ${credentialKeys.adminPassword} key`);
    io.err(`initial password of ${tracker.spec.app.adminEmail}:`);
    io.out(password);
    return 0;
  },
};
