import { beforeAll, describe, expect, it } from "vitest";
import { ApiClient, registerOwner, type TestUser } from "../../../test/harness/client.ts";
import { useAuthApp } from "../../../test/harness/auth-app.ts";
import { totpCode } from "../../auth/totp.ts";
import type { ProblemDetails } from "../../errors.ts";

describe("two-factor sign-in over HTTP", () => {
  const app = useAuthApp();
  const secrets: string[] = [];
  let owner: ApiClient;
  let user: TestUser;
  let secret = "";
  let recoveryCodes: string[] = [];

  const login = (totp?: string) =>
    new ApiClient(app.base).post<ProblemDetails>("/auth/login", {
      email: user.email,
      password: user.password,
      ...(totp === undefined ? {} : { totp }),
    });

  async function failedLogins(reason: string): Promise<number> {
    const metric = await app.registry.getSingleMetric("fintrack_logins_failed_total")?.get();
    return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  }

  beforeAll(async () => {
    owner = new ApiClient(app.base);
    user = await registerOwner(owner);
    secrets.push(user.password);
  });

  it("starts enrolment with a secret and an otpauth URL for fintrack (SHA1, 6 digits, 30 s)", async () => {
    const res = await owner.post<{ secret: string; otpauthUrl: string }>("/me/totp");
    expect(res.status).toBe(200);
    secret = res.body.secret;
    secrets.push(secret);
    const url = new URL(res.body.otpauthUrl);
    expect(url.protocol).toBe("otpauth:");
    expect(url.host).toBe("totp");
    expect(url.searchParams.get("issuer")).toBe("fintrack");
    expect(url.searchParams.get("secret")).toBe(secret);
    // Not on yet: sign-in still needs the password only.
    expect((await login()).status).toBe(200);
  });

  it("stores the secret sealed, never as the base32 the app showed", async () => {
    const { rows } = await app.pool.query<{ totp_secret: string }>(
      "select totp_secret from users where lower(email) = lower($1)",
      [user.email],
    );
    expect(rows[0]?.totp_secret).toMatch(/^v1\./);
    expect(rows[0]?.totp_secret).not.toContain(secret);
  });

  it("turns on only with a right code, answering ten single-use recovery codes", async () => {
    const wrong = await owner.post<ProblemDetails>("/me/totp/enable", { code: "000000" });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors?.[0]?.path).toBe("body.code");
    const res = await owner.post<{ recoveryCodes: string[] }>("/me/totp/enable", {
      code: totpCode(secret, app.clock.now()),
    });
    expect(res.status).toBe(200);
    recoveryCodes = res.body.recoveryCodes;
    secrets.push(...recoveryCodes);
    expect(recoveryCodes).toHaveLength(10);
    expect((await owner.get<{ totpEnabled: boolean }>("/me")).body.totpEnabled).toBe(true);
    const { rows } = await app.pool.query<{ code_hash: string }>(
      "select code_hash from recovery_codes",
    );
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.code_hash)).not.toContain(recoveryCodes[0]);
    expect((await owner.post("/me/totp")).status).toBe(409);
  });

  it("asks for the second step with 401 totp_required when the code is missing", async () => {
    const res = await login();
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("totp_required");
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("refuses a wrong code with 401 and counts it as a failed second factor", async () => {
    const before = await failedLogins("totp");
    const res = await login("123456" === totpCode(secret, app.clock.now()) ? "654321" : "123456");
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("invalid_credentials");
    expect(await failedLogins("totp")).toBe(before + 1);
  });

  it("accepts a fresh code once and refuses the same code again within its window", async () => {
    // The code that turned TOTP on used this step; the next step's code is fresh.
    app.clock.advance(30_000);
    const code = totpCode(secret, app.clock.now());
    const first = await login(code);
    expect(first.status).toBe(200);
    expect(first.headers.getSetCookie()[0]).toMatch(/^fintrack_session=/);
    app.clock.advance(5_000);
    const replay = await login(code);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe("invalid_credentials");
  });

  it("accepts a recovery code once, typed in any case, and never again", async () => {
    const [code = ""] = recoveryCodes;
    expect((await login(code.toUpperCase())).status).toBe(200);
    expect((await login(code)).status).toBe(401);
    expect((await login(recoveryCodes[1])).status).toBe(200);
  });

  it("turns off only with the password and a current code, after which sign-in needs no code", async () => {
    app.clock.advance(30_000);
    const session = new ApiClient(app.base);
    await session.post("/auth/login", {
      email: user.email,
      password: user.password,
      totp: totpCode(secret, app.clock.now()),
    });
    app.clock.advance(30_000);
    const code = totpCode(secret, app.clock.now());
    const wrong = await session.delete<ProblemDetails>("/me/totp", {
      password: "not the password",
      code,
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors?.[0]?.path).toBe("body.password");
    const passwordOnly = await session.delete<ProblemDetails>("/me/totp", {
      password: user.password,
    });
    expect(passwordOnly.status).toBe(422);
    expect(passwordOnly.body.errors?.[0]?.path).toBe("body.code");
    const wrongCode = await session.delete<ProblemDetails>("/me/totp", {
      password: user.password,
      code: code === "123456" ? "654321" : "123456",
    });
    expect(wrongCode.status).toBe(422);
    expect(wrongCode.body.errors?.[0]?.path).toBe("body.code");
    expect((await login()).status).toBe(401);
    expect((await session.delete("/me/totp", { password: user.password, code })).status).toBe(204);
    expect((await login()).status).toBe(200);
    const { rows } = await app.pool.query("select 1 from recovery_codes");
    expect(rows).toHaveLength(0);
  });

  it("never writes a password, TOTP secret or recovery code to the log", () => {
    const logs = app.logs();
    expect(logs).toContain("two-factor sign-in enabled");
    for (const s of secrets) expect(logs).not.toContain(s);
  });
});
