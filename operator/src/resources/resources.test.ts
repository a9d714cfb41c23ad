import { describe, expect, it } from "vitest";
import { withDefaults } from "./resources.ts";

const defaults = { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "1Gi" } };

describe("withDefaults", () => {
  it("returns the defaults when the user sets nothing", () => {
    expect(withDefaults(undefined, defaults)).toEqual(defaults);
    expect(withDefaults({}, defaults)).toEqual(defaults);
  });

  it("lets the user override one key while the other defaults stay", () => {
    const merged = withDefaults({ requests: { cpu: "1" } }, defaults);
    expect(merged.requests).toEqual({ cpu: "1", memory: "256Mi" });
    expect(merged.limits).toEqual({ memory: "1Gi" });
  });

  it("adds keys the defaults do not have", () => {
    const merged = withDefaults({ limits: { cpu: "2", "ephemeral-storage": "1Gi" } }, defaults);
    expect(merged.limits).toEqual({ memory: "1Gi", cpu: "2", "ephemeral-storage": "1Gi" });
  });

  it("writes numeric quantities as strings, as the core API models expect", () => {
    const merged = withDefaults({ requests: { cpu: 0.5 }, limits: { cpu: 2 } }, defaults);
    expect(merged.requests?.cpu).toBe("0.5");
    expect(merged.limits?.cpu).toBe("2");
  });

  it("raises the default limit to a larger request the user set alone", () => {
    const merged = withDefaults({ requests: { memory: "2Gi" } }, defaults);
    expect(merged.requests?.memory).toBe("2Gi");
    expect(merged.limits?.memory).toBe("2Gi");
  });

  it("lowers the default request to a smaller limit the user set alone", () => {
    const merged = withDefaults({ limits: { cpu: "100m" } }, defaults);
    expect(merged.requests?.cpu).toBe("100m");
    expect(merged.limits?.cpu).toBe("100m");
  });

  it("compares quantities across suffixes", () => {
    expect(withDefaults({ requests: { memory: "1000Mi" } }, defaults).limits?.memory).toBe("1Gi");
    expect(withDefaults({ requests: { memory: "1.5G" } }, defaults).limits?.memory).toBe("1.5G");
    expect(withDefaults({ requests: { memory: "2e9" } }, defaults).limits?.memory).toBe("2e9");
  });

  it("keeps a conflict the user wrote on both sides, for the API server to report", () => {
    const merged = withDefaults(
      { requests: { memory: "2Gi" }, limits: { memory: "1Gi" } },
      defaults,
    );
    expect(merged.requests?.memory).toBe("2Gi");
    expect(merged.limits?.memory).toBe("1Gi");
  });

  it("omits limits entirely when neither side has any", () => {
    expect(withDefaults(undefined, { requests: { cpu: "50m" } })).toEqual({
      requests: { cpu: "50m" },
    });
  });

  it("does not alter the defaults it was given", () => {
    const shared = { requests: { cpu: "250m" }, limits: { memory: "1Gi" } };
    withDefaults({ requests: { memory: "4Gi", cpu: "1" } }, shared);
    expect(shared).toEqual({ requests: { cpu: "250m" }, limits: { memory: "1Gi" } });
  });
});
