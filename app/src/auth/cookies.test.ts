import { describe, expect, it } from "vitest";
import { clearingOptions, readCookie, sessionCookie } from "./cookies.ts";
import { csrfToken, csrfValid, isUnsafeMethod } from "./csrf.ts";

describe("sessionCookie", () => {
  it("is __Host- prefixed, Secure, httpOnly, SameSite=Lax and Path=/ over HTTPS", () => {
    const cookie = sessionCookie(new URL("https://money.example.org"), 1000);
    expect(cookie.name).toBe("__Host-fintrack_session");
    expect(cookie.options).toEqual({
      httpOnly: true,
      secure: true,
      sameSite: "lax",
      path: "/",
      maxAge: 1000,
    });
  });

  it("is plain fintrack_session without Secure over HTTP (the demo on localhost)", () => {
    const cookie = sessionCookie(new URL("http://localhost:8080"), 1000);
    expect(cookie.name).toBe("fintrack_session");
    expect(cookie.options.secure).toBe(false);
    expect(cookie.options.httpOnly).toBe(true);
  });

  it("is cleared with the same attributes but no Max-Age", () => {
    const cookie = sessionCookie(new URL("https://money.example.org"), 1000);
    expect(clearingOptions(cookie)).toEqual({
      httpOnly: true,
      secure: true,
      sameSite: "lax",
      path: "/",
    });
  });
});

describe("readCookie", () => {
  it("finds a cookie among others, exactly by name", () => {
    const header = "x_fintrack_session=no; fintrack_session=abc%2D1; theme=dark";
    expect(readCookie(header, "fintrack_session")).toBe("abc-1");
    expect(readCookie(header, "missing")).toBeUndefined();
    expect(readCookie(undefined, "fintrack_session")).toBeUndefined();
  });

  it("ignores a value that does not decode", () => {
    expect(readCookie("fintrack_session=%E0%A4%A", "fintrack_session")).toBeUndefined();
  });
});

describe("CSRF tokens", () => {
  const secret = "s".repeat(32);

  it("accepts the session's own token only", () => {
    const token = csrfToken(secret, "session-a");
    expect(csrfValid(secret, "session-a", token)).toBe(true);
    expect(csrfValid(secret, "session-b", token)).toBe(false);
    expect(csrfValid("t".repeat(32), "session-a", token)).toBe(false);
    expect(csrfValid(secret, "session-a", undefined)).toBe(false);
    expect(csrfValid(secret, "session-a", "")).toBe(false);
  });

  it("is required for POST, PUT, PATCH and DELETE, not for GET, HEAD and OPTIONS", () => {
    expect(["POST", "PUT", "PATCH", "DELETE"].map(isUnsafeMethod)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["GET", "HEAD", "OPTIONS"].map(isUnsafeMethod)).toEqual([false, false, false]);
  });
});
