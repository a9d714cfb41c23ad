import { once } from "node:events";
import { createServer, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { clientReady } from "./drained.ts";

/** Serves one response through `handler` and opens a request to it, not reading the body yet. */
async function served(handler: (res: ServerResponse) => Promise<void>) {
  const server = createServer((_req, res) => void handler(res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const req = request({ host: "127.0.0.1", port, path: "/" });
  req.end();
  const [res] = (await once(req, "response")) as [import("node:http").IncomingMessage];
  res.pause();
  return { res, close: () => new Promise((r) => server.close(r)) };
}

// 16 MB of writes without waiting would sit in the app's memory for a client that reads nothing;
// far more than loopback's socket buffers take even when the kernel grows them.
const PIECE = "x".repeat(64 * 1024);
const PIECES = 256;

describe("clientReady", () => {
  it("holds the writer while the client reads nothing, and lets it go on as the client reads", async () => {
    let written = 0;
    let finished = false;
    const { res, close } = await served(async (out) => {
      for (let i = 0; i < PIECES; i++) {
        if (!(await clientReady(out))) return;
        out.write(PIECE);
        written += PIECE.length;
      }
      out.end();
      finished = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    // Stopped once the kernel's and the stream's buffers were full: far from all of it.
    expect(written).toBeLessThan(PIECES * PIECE.length);
    expect(finished).toBe(false);
    let received = 0;
    res.on("data", (chunk: Buffer) => (received += chunk.length));
    res.resume();
    await once(res, "end");
    expect(finished).toBe(true);
    expect(received).toBe(PIECES * PIECE.length);
    await close();
  }, 30_000);

  it("answers false once the client has gone, so the writer stops", async () => {
    let answered: boolean | undefined;
    const { res, close } = await served(async (out) => {
      for (;;) {
        const ready = await clientReady(out);
        if (!ready) {
          answered = ready;
          return;
        }
        out.write(PIECE);
      }
    });
    await new Promise((r) => setTimeout(r, 200));
    res.destroy();
    for (let i = 0; i < 50 && answered === undefined; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(answered).toBe(false);
    await close();
  });
});
