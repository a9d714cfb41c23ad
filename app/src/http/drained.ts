import type { ServerResponse } from "node:http";

// Backpressure for downloads written as they are read: the next rows are read only once the
// client has taken the last ones, so a slow client never makes the app buffer a whole export.

/** The client went away mid-download: stop quietly, there is no one to answer. */
export class ClientGone extends Error {
  override readonly name = "ClientGone";
}

/** Resolves when `res` can take more; rejects with ClientGone when the client left instead. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      res.off("drain", onDrain);
      res.off("close", onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(new ClientGone());
    };
    res.on("drain", onDrain);
    res.on("close", onClose);
  });
}

/**
 * Whether to go on writing: at once while `res` takes more, else once the client has taken what
 * is buffered; false when the client has left (there is no one to write for).
 */
export async function clientReady(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.writableNeedDrain) return true;
  try {
    await drained(res);
    return true;
  } catch (error) {
    if (error instanceof ClientGone) return false;
    throw error;
  }
}
