import { describe, expect, it } from "vitest";
import { normalisePayee, type PayeeUse, payeeScore, suggestPayees } from "./payees.ts";

describe("normalisePayee", () => {
  it.each([
    ["REWE Markt", "rewe"],
    ["REWE", "rewe"],
    ["Rewe", "rewe"],
    ["  rewe   markt  ", "rewe"],
    ["REWE SAGT DANKE. 4711", "rewe"],
    ["Rewe Markt GmbH #123", "rewe"],
    ["REWE-Markt GmbH", "rewe"],
    ["Café Müller", "cafe muller"],
    ["CAFE MULLER", "cafe muller"],
    ["Edeka Fil. 0815", "edeka"],
    ["dm-drogerie markt", "dm drogerie"],
    ["Straßenbahn", "strassenbahn"],
    ["Amazon.de", "amazon de"],
  ])("%j groups under %j", (name, key) => {
    expect(normalisePayee(name)).toBe(key);
  });

  it("never drops the first word, so a name that is only a store word or a number stays", () => {
    expect(normalisePayee("Markt")).toBe("markt");
    expect(normalisePayee("7-Eleven")).toBe("7 eleven");
    expect(normalisePayee("1822direkt")).toBe("1822direkt");
  });

  it("keeps store words in the middle of a name", () => {
    expect(normalisePayee("Markt Apotheke")).toBe("markt apotheke");
  });

  it("folds punctuation and spacing only to an empty key", () => {
    expect(normalisePayee(" -- ")).toBe("");
  });
});

describe("payeeScore", () => {
  it("weighs uses down by the months since the last one", () => {
    expect(payeeScore(3, "2026-03-01", "2026-03-01")).toBe(3);
    expect(payeeScore(3, "2026-01-30", "2026-03-01")).toBe(1.5);
    // Weekly last year loses to three times this week.
    expect(payeeScore(52, "2025-03-01", "2026-03-01")).toBeLessThan(
      payeeScore(3, "2026-02-27", "2026-03-01"),
    );
  });
});

const use = (payee: string, overrides: Partial<PayeeUse> = {}): PayeeUse => ({
  payee,
  uses: 1,
  lastUsed: "2026-03-01",
  categoryId: null,
  categorisedOn: null,
  ...overrides,
});

describe("suggestPayees", () => {
  const today = "2026-03-01";

  it("groups near-duplicates under the most used spelling with their summed uses", () => {
    const suggestions = suggestPayees(
      [use("REWE Markt", { uses: 5 }), use("REWE", { uses: 2 }), use("Rewe", { uses: 1 })],
      "",
      today,
      10,
    );
    expect(suggestions).toEqual([
      { payee: "REWE Markt", categoryId: null, uses: 8, lastUsed: "2026-03-01" },
    ]);
  });

  it("carries the category of the group's most recent categorised transaction", () => {
    const [rewe] = suggestPayees(
      [
        use("REWE Markt", { uses: 5, categoryId: "1", categorisedOn: "2026-01-01" }),
        use("Rewe", { categoryId: "2", categorisedOn: "2026-02-01", lastUsed: "2026-02-01" }),
        use("REWE", { lastUsed: "2026-02-20" }),
      ],
      "re",
      today,
      10,
    );
    expect(rewe).toMatchObject({ payee: "REWE Markt", categoryId: "2", lastUsed: "2026-03-01" });
  });

  it("ranks by use and recency, and matches typed text regardless of case and accents", () => {
    const spellings = [
      use("Bäckerei Schmidt", { uses: 2 }),
      use("Bahn", { uses: 40, lastUsed: "2025-01-01" }),
      use("Baumarkt", { uses: 4 }),
      use("Kebab Haus", { uses: 9 }),
    ];
    expect(suggestPayees(spellings, "", today, 10).map((s) => s.payee)).toEqual([
      "Kebab Haus",
      "Baumarkt",
      "Bäckerei Schmidt",
      "Bahn",
    ]);
    // Names starting with the text come before those with a later word or a part matching.
    expect(suggestPayees(spellings, "BA", today, 10).map((s) => s.payee)).toEqual([
      "Baumarkt",
      "Bäckerei Schmidt",
      "Bahn",
      "Kebab Haus",
    ]);
    expect(suggestPayees(spellings, "backer", today, 10).map((s) => s.payee)).toEqual([
      "Bäckerei Schmidt",
    ]);
    expect(suggestPayees(spellings, "schmidt", today, 10).map((s) => s.payee)).toEqual([
      "Bäckerei Schmidt",
    ]);
    expect(suggestPayees(spellings, "ba", today, 2)).toHaveLength(2);
  });

  it("leaves out payees that fold to nothing", () => {
    expect(suggestPayees([use("--")], "", today, 10)).toEqual([]);
  });
});
