import { describe, expect, it } from "vitest";
import { aTracker } from "../../../test/fixtures/tracker.ts";
import { buildAppServiceAccount } from "./service-account.ts";

describe("buildAppServiceAccount", () => {
  it("does not mount an API token into the app's pods", () => {
    const account = buildAppServiceAccount(aTracker());

    expect(account.metadata?.name).toBe("acme-app");
    expect(account.automountServiceAccountToken).toBe(false);
  });
});
