import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";

/** What a hashing pass-through saw once its input ended. */
export interface Digest {
  size: number;
  sha256: string;
}

/**
 * A pass-through that hashes what flows by and, before it ends, awaits `beforeEnd`: a rejection
 * there fails the stream instead of ending it. The dump's upload is fed through one whose
 * `beforeEnd` waits for pg_dump's exit status, so a dump that fails after writing its last byte
 * still aborts the upload rather than completing an object that looks whole.
 */
export function hashingStream(beforeEnd: (digest: Digest) => Promise<void>): {
  stream: Transform;
  digest: () => Digest;
} {
  const hash = createHash("sha256");
  let size = 0;
  let result: Digest | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      result = { size, sha256: hash.digest("hex") };
      beforeEnd(result).then(
        () => {
          callback();
        },
        (error: unknown) => {
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    },
  });
  return {
    stream,
    digest: () => {
      if (!result) throw new Error("the stream has not ended yet");
      return result;
    },
  };
}

/**
 * A pass-through that checks size and sha256 against what the manifest promises and withholds
 * the last chunk until they match: a consumer (pg_restore) never sees the end of a corrupted or
 * truncated archive, so with `--single-transaction` nothing of it is committed.
 */
export function verifyingStream(
  expected: Digest,
  onMismatch: (problem: string) => void,
): Transform {
  const hash = createHash("sha256");
  let size = 0;
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      size += chunk.length;
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback: TransformCallback) {
      const sha256 = hash.digest("hex");
      const problem =
        size !== expected.size
          ? `object is ${size} bytes, the manifest says ${expected.size}`
          : sha256 !== expected.sha256
            ? `object sha256 ${sha256} differs from the manifest's ${expected.sha256}`
            : undefined;
      if (problem) {
        onMismatch(problem);
        callback(new Error(`checksum mismatch: ${problem}`));
        return;
      }
      if (held) this.push(held);
      callback();
    },
  });
}
