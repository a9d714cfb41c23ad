import { describe, expect, it } from "vitest";
import { JsonSyntaxError, readSections, type SectionEvent } from "./json-sections.ts";

/** `text` arriving `size` bytes at a time, each chunk a little later than the one before. */
async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i < bytes.length; i += size) {
    await Promise.resolve();
    yield bytes.subarray(i, i + size);
  }
}

async function events(text: string, size = 3): Promise<SectionEvent[]> {
  const out: SectionEvent[] = [];
  for await (const event of readSections(chunks(text, size))) out.push(event);
  return out;
}

describe("readSections", () => {
  it("yields top-level scalars, each section's bounds and its elements whole, in order", async () => {
    const doc = JSON.stringify({
      formatVersion: 1,
      base: "EUR",
      accounts: [{ name: "Käse ☕", tags: ["a", { deep: [1, 2] }] }, { name: "B" }],
      settings: { day: 3, list: [["x"]] },
      empty: [],
      none: null,
    });
    expect(await events(doc)).toEqual([
      { type: "scalar", key: "formatVersion", value: 1 },
      { type: "scalar", key: "base", value: "EUR" },
      { type: "open", key: "accounts", shape: "array" },
      {
        type: "item",
        key: "accounts",
        index: 0,
        value: { name: "Käse ☕", tags: ["a", { deep: [1, 2] }] },
      },
      { type: "item", key: "accounts", index: 1, value: { name: "B" } },
      { type: "close", key: "accounts" },
      { type: "open", key: "settings", shape: "object" },
      { type: "item", key: "settings", index: "day", value: 3 },
      { type: "item", key: "settings", index: "list", value: [["x"]] },
      { type: "close", key: "settings" },
      { type: "open", key: "empty", shape: "array" },
      { type: "close", key: "empty" },
      { type: "scalar", key: "none", value: null },
    ]);
  });

  it("gives the same events whatever the chunk boundaries (multi-byte characters split too)", async () => {
    const doc = '{"a":[{"x":"€uro 😀"},{"y":[1,{"z":true}]}],\n "b" : "ü" }\n';
    const whole = await events(doc, doc.length);
    for (const size of [1, 2, 5, 7]) expect(await events(doc, size)).toEqual(whole);
  });

  it("emits each element before the next chunk is read", async () => {
    const seen: string[] = [];
    async function* source() {
      await Promise.resolve();
      seen.push("chunk 1");
      yield Buffer.from('{"list":[{"n":1},');
      seen.push("chunk 2");
      yield Buffer.from('{"n":2}]}');
    }
    for await (const event of readSections(source())) {
      if (event.type === "item") seen.push(`item ${JSON.stringify(event.value)}`);
    }
    expect(seen).toEqual(["chunk 1", 'item {"n":1}', "chunk 2", 'item {"n":2}']);
  });

  it.each([
    ["a truncated document", '{"a":[{"x":1}'],
    ["a trailing comma", '{"a":1,}'],
    ["a second document", '{"a":1} {"b":2}'],
    ["garbage after the document", '{"a":1} x'],
    ["a root array", "[1,2]"],
    ["a root string", '"text"'],
    ["nothing at all", "   "],
  ])("refuses %s with a JsonSyntaxError", async (_name, doc) => {
    await expect(events(doc)).rejects.toBeInstanceOf(JsonSyntaxError);
  });
});
