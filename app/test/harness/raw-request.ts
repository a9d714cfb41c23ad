// Test fixture (imported by integration tests only, never by the app): HTTP/1.1 by hand, for
// requests no fetch client sends, such as one whose declared body never arrives.
import { connect } from "node:net";

/** What the server answered on a raw connection, and whether it then closed the connection. */
export interface RawAnswer {
  /** 0 when nothing came back in time. */
  status: number;
  /** Lower-case names. */
  headers: Map<string, string>;
  body: string;
  closed: boolean;
  elapsedMs: number;
}

function parseAnswer(raw: string): Pick<RawAnswer, "status" | "headers" | "body"> {
  const split = raw.indexOf("\r\n\r\n");
  if (split < 0) return { status: 0, headers: new Map(), body: "" };
  const [statusLine = "", ...lines] = raw.slice(0, split).split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body: raw.slice(split + 4) };
}

/**
 * Sends `method path` declaring a body of `declaredBytes` but sending only `sentBytes` of it, as
 * a client looks whose upload is slow or never finishes, and collects what the server answers
 * within `waitMs`. With `declaredBytes` 0 no body is declared at all.
 */
export function sendPartialBody(
  base: string,
  request: {
    method: string;
    path: string;
    headers?: Readonly<Record<string, string>>;
    declaredBytes: number;
    sentBytes?: number;
    waitMs?: number;
  },
): Promise<RawAnswer> {
  const url = new URL(base);
  const started = Date.now();
  const waitMs = request.waitMs ?? 3000;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const answer = parseAnswer(Buffer.concat(chunks).toString("utf8"));
      resolve({ ...answer, closed, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => {
      closed = true;
      finish();
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    const headers = {
      host: url.host,
      ...(request.declaredBytes > 0 ? { "content-length": String(request.declaredBytes) } : {}),
      ...request.headers,
    };
    const head = [
      `${request.method} ${request.path} HTTP/1.1`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ].join("\r\n");
    socket.write(`${head}\r\n\r\n`);
    socket.write(Buffer.alloc(Math.min(request.sentBytes ?? 16, request.declaredBytes), "{"));
  });
}
