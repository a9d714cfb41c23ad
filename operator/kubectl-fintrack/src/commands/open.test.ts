import { describe, expect, it } from "vitest";
import { forwardedUrl, parsePort, portForwardArgs } from "./open.ts";

describe("portForwardArgs", () => {
  it("forwards a local port to the app Service's HTTP port, on the same cluster and namespace", () => {
    expect(
      portForwardArgs({ context: "prod" }, "tenant-acme", "acme-app", {
        localPort: 40123,
        address: "127.0.0.1",
      }),
    ).toEqual([
      "port-forward",
      "--context",
      "prod",
      "--namespace",
      "tenant-acme",
      "service/acme-app",
      "40123:8080",
      "--address",
      "127.0.0.1",
    ]);
  });
});

describe("forwardedUrl", () => {
  it("names localhost for the loopback and any address, brackets an IPv6 one", () => {
    expect(forwardedUrl("127.0.0.1", 8080)).toBe("http://localhost:8080/");
    expect(forwardedUrl("0.0.0.0", 8080)).toBe("http://localhost:8080/");
    expect(forwardedUrl("192.168.1.5", 9000)).toBe("http://192.168.1.5:9000/");
    expect(forwardedUrl("::1", 9000)).toBe("http://[::1]:9000/");
  });
});

describe("parsePort", () => {
  it("takes 0 to 65535 and refuses anything else", () => {
    expect(parsePort("0")).toBe(0);
    expect(parsePort("8080")).toBe(8080);
    expect(() => parsePort("70000")).toThrow(/no port number/);
    expect(() => parsePort("http")).toThrow(/no port number/);
  });
});
