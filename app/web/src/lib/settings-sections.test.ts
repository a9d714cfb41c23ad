import { describe, expect, it } from "vitest";
import { isSettingsPath, sectionOf } from "./settings-sections.ts";

describe("sectionOf", () => {
  it("reads the group from the path", () => {
    expect(sectionOf("/settings/security")).toBe("security");
    expect(sectionOf("/settings/exchange-rates/")).toBe("exchange-rates");
  });

  it("reads ?section= on the settings page itself", () => {
    expect(sectionOf("/settings", "?section=tokens")).toBe("tokens");
  });

  it("names no group for the page itself or an unknown name", () => {
    expect(sectionOf("/settings")).toBeUndefined();
    expect(sectionOf("/settings/nope")).toBeUndefined();
    expect(sectionOf("/settings", "?section=nope")).toBeUndefined();
    expect(sectionOf("/settings/security/extra")).toBeUndefined();
  });
});

describe("isSettingsPath", () => {
  it("takes the page and one group below it, nothing else", () => {
    expect(isSettingsPath("/settings")).toBe(true);
    expect(isSettingsPath("/settings/data")).toBe(true);
    expect(isSettingsPath("/settings/data/more")).toBe(false);
    expect(isSettingsPath("/settingsx")).toBe(false);
  });
});
