import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chromiumPath } from "./browser.ts";
import { postgresBinDir } from "./postgres.ts";
import { freePort, systemUser, waitFor } from "./process.ts";

describe("test harness helpers", () => {
  it("prefers PG_BIN_DIR over the system PostgreSQL", () => {
    expect(postgresBinDir({ PG_BIN_DIR: "/opt/pg18/bin" })).toBe("/opt/pg18/bin");
  });

  it("prefers CHROMIUM_PATH when that file exists", () => {
    const fake = join(mkdtempSync(join(tmpdir(), "fintrack-")), "chromium");
    writeFileSync(fake, "");
    expect(chromiumPath({ CHROMIUM_PATH: fake })).toBe(fake);
  });

  it("hands out distinct usable ports", async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    for (const port of ports) {
      expect(port).toBeGreaterThan(1023);
      expect(port).toBeLessThan(65536);
    }
  });

  it("reads system users and refuses unknown ones", () => {
    expect(systemUser("root")).toEqual({ uid: 0, gid: 0 });
    expect(() => systemUser("no-such-user-fintrack")).toThrow(/does not exist/);
  });

  it("waitFor gives up when the process it waits on has exited", async () => {
    const failure = waitFor("a server", () => Promise.reject(new Error("refused")), {
      alive: () => false,
    });
    await expect(failure).rejects.toThrow(/a server: the process exited/);
  });
});
