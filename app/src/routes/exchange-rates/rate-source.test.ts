import { describe, expect, it } from "vitest";
import { describeRateFeed } from "./router.ts";

describe("describeRateFeed", () => {
  const url = new URL("https://rates.example/feed.xml?key=secret");

  it("says off when there is no feed, whatever the daily setting", () => {
    expect(describeRateFeed({ url: undefined, daily: true })).toEqual({ fetching: "off" });
  });

  it("names the feed without its query, which may carry a key", () => {
    expect(describeRateFeed({ url, daily: false })).toEqual({
      fetching: "on-request",
      source: "https://rates.example/feed.xml",
    });
    expect(describeRateFeed({ url, daily: true }).fetching).toBe("daily");
  });
});
