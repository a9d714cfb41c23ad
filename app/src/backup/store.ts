import { Readable } from "node:stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

/** Where backups are stored: an S3-compatible bucket and a key prefix. */
export interface StoreConfig {
  bucket: string;
  prefix: string;
  endpoint?: string | undefined;
  region: string;
  forcePathStyle: boolean;
  /** Explicit credentials; when absent the SDK's default chain (environment, IRSA, ...) applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

/** The object store operations the backup commands use, over one bucket. */
export interface ObjectStore {
  readonly bucket: string;
  readonly prefix: string;
  /**
   * Streams `body` into `key` as a multipart upload. When the body errors or `signal` aborts, the
   * multipart upload is aborted and no object appears under `key`.
   */
  upload(
    key: string,
    body: Readable,
    options?: { signal?: AbortSignal; partSize?: number; onProgress?: (bytes: number) => void },
  ): Promise<void>;
  /** The object's bytes as a stream, or an error naming the key when it does not exist. */
  download(key: string): Promise<Readable>;
  getText(key: string): Promise<string | null>;
  putText(key: string, text: string, contentType?: string): Promise<void>;
  /** Size in bytes, or null when there is no such object. */
  size(key: string): Promise<number | null>;
  /** Every key under `prefix`, in the store's (lexical) order. */
  list(prefix: string): Promise<string[]>;
  remove(keys: readonly string[]): Promise<void>;
}

/** An S3 client for any S3-compatible service (AWS, MinIO, Ceph, SeaweedFS, R2). */
export function s3Client(config: StoreConfig): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    // Several S3-compatible servers reject the newer default CRC32 trailers on streamed uploads;
    // the dump carries its own sha256 in the manifest.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** The ObjectStore over one bucket of an S3-compatible service. */
export function s3Store(config: StoreConfig, client: S3Client = s3Client(config)): ObjectStore {
  const Bucket = config.bucket;
  return {
    bucket: Bucket,
    prefix: config.prefix,
    async upload(key, body, options = {}) {
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: body, ContentType: "application/octet-stream" },
        // 16 MiB parts stay under S3's 10,000-part cap up to 160 GiB of dump.
        partSize: options.partSize ?? 16 * 1024 * 1024,
        queueSize: 4,
        leavePartsOnError: false,
      });
      if (options.onProgress) {
        const report = options.onProgress;
        upload.on("httpUploadProgress", (p) => {
          report(p.loaded ?? 0);
        });
      }
      const onAbort = () => {
        body.destroy(new Error("backup aborted"));
        void upload.abort().catch(() => undefined);
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      // A body that fails ends the upload with its error; lib-storage then aborts the multipart
      // upload, so no object appears under the key.
      const failed = new Promise<never>((_, reject) => {
        body.once("error", reject);
      });
      try {
        await Promise.race([upload.done(), failed]);
      } catch (error) {
        await upload.abort().catch(() => undefined);
        throw error;
      } finally {
        options.signal?.removeEventListener("abort", onAbort);
      }
    },
    async download(key) {
      const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
      if (!(out.Body instanceof Readable)) throw new Error(`object ${key} has no readable body`);
      return out.Body;
    },
    async getText(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: key }));
        return (await out.Body?.transformToString("utf8")) ?? null;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async putText(key, text, contentType = "application/json") {
      await client.send(
        new PutObjectCommand({ Bucket, Key: key, Body: text, ContentType: contentType }),
      );
    },
    async size(key) {
      try {
        const out = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return out.ContentLength ?? 0;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out = await client.send(
          new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async remove(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        const out = await client.send(
          new DeleteObjectsCommand({
            Bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = out.Errors?.[0];
        if (failed) throw new Error(`could not delete ${failed.Key}: ${failed.Message}`);
      }
    },
  };
}

function isNotFound(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const name = "name" in error ? String(error.name) : "";
  const status =
    "$metadata" in error && typeof error.$metadata === "object" && error.$metadata !== null
      ? (error.$metadata as { httpStatusCode?: number }).httpStatusCode
      : undefined;
  return name === "NoSuchKey" || name === "NotFound" || status === 404;
}
