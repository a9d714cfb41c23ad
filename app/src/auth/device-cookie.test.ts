import { describe, expect, it } from "vitest";
import { deviceCookie, deviceKey, newDeviceToken, trustedDeviceId } from "./device-cookie.ts";
import { accountId } from "./login-throttle.ts";

const key = deviceKey("test-session-secret-".padEnd(40, "x"));
const alice = accountId("alice@example.test");
const bob = accountId("bob@example.test");

describe("trustedDeviceId", () => {
  it("recognises a token issued for the same account, under a stable id that is not the token", () => {
    const token = newDeviceToken(key, alice);
    const id = trustedDeviceId(key, alice, token);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain(id);
    expect(trustedDeviceId(key, alice, token)).toBe(id);
  });

  it("gives every issued token its own id", () => {
    const ids = [1, 2].map(() => trustedDeviceId(key, alice, newDeviceToken(key, alice)));
    expect(ids[0]).not.toBe(ids[1]);
  });

  it("treats a token of another account, another key, or a tampered one as an unknown client", () => {
    const token = newDeviceToken(key, bob);
    expect(trustedDeviceId(key, alice, token)).toBeUndefined();
    expect(
      trustedDeviceId(deviceKey("another-secret-".padEnd(40, "y")), bob, token),
    ).toBeUndefined();
    const [nonce = "", mac = ""] = token.split(".");
    expect(trustedDeviceId(key, bob, `${nonce}x.${mac}`)).toBeUndefined();
    expect(trustedDeviceId(key, bob, `${token}.extra`)).toBeUndefined();
    expect(trustedDeviceId(key, bob, nonce)).toBeUndefined();
    expect(trustedDeviceId(key, bob, undefined)).toBeUndefined();
  });
});

describe("deviceCookie", () => {
  it("is __Host- prefixed, Secure and Strict over HTTPS, httpOnly always", () => {
    const tls = deviceCookie(new URL("https://money.example.org"));
    expect(tls.name).toBe("__Host-fintrack_device");
    expect(tls.options).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "strict",
      path: "/",
    });
    expect(deviceCookie(new URL("http://127.0.0.1")).name).toBe("fintrack_device");
  });
});
