// The operator's live heap: what it keeps, without the garbage a burst leaves behind. The operator
// runs with --inspect on a free loopback port; the benchmark asks V8 for a full collection
// through the inspector protocol (HeapProfiler.collectGarbage), then reads the heap in use from
// the operator's own /metrics.
import { metricValue, type OperatorProcess } from "../test/harness/operator.ts";

/** The NODE_OPTIONS flag that opens the inspector on a free loopback port. */
export const inspectFlag = "--inspect=127.0.0.1:0";

/** The inspector's WebSocket URL, as Node prints it on start. */
function inspectorUrl(operator: OperatorProcess): string {
  const match = /Debugger listening on (ws:\/\/\S+)/.exec(operator.logs());
  if (!match?.[1]) throw new Error("the operator printed no inspector URL (is --inspect set?)");
  return match[1];
}

/** Sends one inspector command and waits for its answer. */
function send(socket: WebSocket, id: number, method: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (event: MessageEvent) => {
      const reply = JSON.parse(String(event.data)) as { id?: number; error?: { message: string } };
      if (reply.id !== id) return;
      socket.removeEventListener("message", onMessage);
      if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
      else resolve();
    };
    socket.addEventListener("message", onMessage);
    socket.send(JSON.stringify({ id, method }));
  });
}

/** Heap in use right after two full collections, in bytes. */
export async function liveHeapBytes(operator: OperatorProcess): Promise<number> {
  const socket = new WebSocket(inspectorUrl(operator));
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => {
      resolve();
    });
    socket.addEventListener("error", () => {
      reject(new Error("could not connect to the operator's inspector"));
    });
  });
  try {
    await send(socket, 1, "HeapProfiler.collectGarbage");
    await send(socket, 2, "HeapProfiler.collectGarbage");
  } finally {
    socket.close();
  }
  return metricValue(operator.metricsUrl, "nodejs_heap_size_used_bytes");
}
