import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servedApiDocument } from "../../api-document.ts";
import { useTestDatabase } from "../../../test/harness/database.ts";
import type { ProblemDetails } from "../../errors.ts";
import {
  anAccount,
  aTransaction,
  type LedgerTestApp,
  startLedgerApp,
  type TestClient,
} from "../../../test/harness/ledger.ts";
import type { TransactionJson } from "../transactions/schema.ts";
import {
  ftypBytes,
  heicBytes,
  jpegBytes,
  pdfBytes,
  pngBytes,
  webpBytes,
} from "../../../test/fixtures/attachments.ts";

interface Attachment {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: string;
}

const code = (body: unknown) => (body as ProblemDetails).code;

describe("the attachment routes", () => {
  const db = useTestDatabase();
  let app: LedgerTestApp;
  let member: TestClient;
  let tx: TransactionJson;

  beforeAll(async () => {
    app = await startLedgerApp(db.url);
    member = app.as(app.member);
    tx = await aTransaction(member, (await anAccount(member)).id);
  });
  afterAll(async () => {
    await app.close();
  });

  const upload = (
    transactionId: string,
    file: Uint8Array,
    contentType: string,
    query = "",
    headers: Record<string, string> = {},
    as = member,
  ) =>
    as.send("POST", `/transactions/${transactionId}/attachments${query}`, file, {
      "Content-Type": contentType,
      ...headers,
    });

  it("stores a receipt and answers 201 with its metadata", async () => {
    const file = pdfBytes();
    const res = await upload(tx.id, file, "application/pdf", "?filename=Beleg%201.pdf");
    expect(res.status).toBe(201);
    const attachment = res.body as Attachment;
    expect(attachment).toEqual({
      id: expect.stringMatching(/^[0-9]+$/) as string,
      filename: "Beleg 1.pdf",
      mediaType: "application/pdf",
      size: file.length,
      sha256: createHash("sha256").update(file).digest("hex"),
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as string,
    });
    const { rows } = await app.pool.query<{ created_by: string }>(
      "select created_by::text from attachments where id = $1",
      [attachment.id],
    );
    expect(rows[0]?.created_by).toBe(app.member.id);
  });

  it.each([
    ["JPEG", jpegBytes(), "image/jpeg", "image/jpeg"],
    ["WebP", webpBytes(), "image/webp", "image/webp"],
    ["HEIC", heicBytes(), "image/heic", "image/heic"],
    [
      "HEIF sent as octet-stream",
      ftypBytes("mif1", ["miaf"]),
      "application/octet-stream",
      "image/heif",
    ],
    ["PNG declared as PDF", pngBytes(), "application/pdf", "image/png"],
  ])("accepts a %s, typed by its bytes", async (_, file, declared, detected) => {
    const res = await upload(tx.id, file, declared);
    expect(res.status).toBe(201);
    expect((res.body as Attachment).mediaType).toBe(detected);
  });

  it("refuses a text file declared as image/png with 415", async () => {
    const res = await upload(tx.id, Buffer.from("just some text, not a PNG\n"), "image/png");
    expect(res.status).toBe(415);
    expect(code(res.body)).toBe("unsupported_media_type");
  });

  it("refuses an AVIF or a video dressed up as HEIC with 415", async () => {
    const avif = await upload(tx.id, ftypBytes("avif", ["mif1", "miaf"]), "image/heic");
    expect(avif.status).toBe(415);
    const video = await upload(tx.id, ftypBytes("isom", ["mp41"]), "image/heif");
    expect(video.status).toBe(415);
  });

  it("refuses declared types outside the list with 415", async () => {
    const res = await upload(tx.id, pngBytes(), "text/html");
    expect(res.status).toBe(415);
  });

  it("refuses files over 10 MB with 413, and takes one of exactly 10 MiB", async () => {
    const limit = 10 * 1024 * 1024;
    const big = Buffer.alloc(limit + 1);
    pdfBytes().copy(big);
    const res = await upload(tx.id, big, "application/pdf");
    expect(res.status).toBe(413);
    expect(code(res.body)).toBe("payload_too_large");
    const exact = await upload(tx.id, big.subarray(0, limit), "application/pdf");
    expect(exact.status).toBe(201);
    expect((exact.body as Attachment).size).toBe(limit);
  });

  it("refuses an empty body with 422", async () => {
    const res = await upload(tx.id, new Uint8Array(0), "application/pdf");
    expect(res.status).toBe(422);
  });

  it("downloads with the detected type, as an attachment, with nosniff", async () => {
    const file = pngBytes();
    const created = (
      await upload(tx.id, file, "application/pdf", "", {
        "Content-Disposition": "attachment; filename*=UTF-8''Quittung%20M%C3%A4rz.pdf",
      })
    ).body as Attachment;
    // A PNG is named as one, whatever its name claimed.
    expect(created.filename).toBe("Quittung März.png");
    const res = await member.get(`/transactions/${tx.id}/attachments/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("content-disposition")).toBe(
      "attachment; filename=\"Quittung Marz.png\"; filename*=UTF-8''Quittung%20M%C3%A4rz.png",
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.bytes.equals(file)).toBe(true);
  });

  it("answers each kind of receipt with a media type the API document lists for the download", async () => {
    // Schemathesis found a PNG answered while the document promised only octet-stream.
    const doc = servedApiDocument() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    };
    const download = doc.paths["/transactions/{id}/attachments/{attachmentId}"]?.get;
    const documented = Object.keys(download?.responses["200"]?.content ?? {});
    for (const [bytes, declared] of [
      [pngBytes(), "image/png"],
      [jpegBytes(), "image/jpeg"],
      [pdfBytes(), "application/pdf"],
      [webpBytes(), "image/webp"],
      [heicBytes(), "application/octet-stream"],
    ] as const) {
      const created = (await upload(tx.id, bytes, declared)).body as Attachment;
      const res = await member.get(`/transactions/${tx.id}/attachments/${created.id}`);
      expect(res.status).toBe(200);
      expect(documented).toContain(res.headers.get("content-type"));
    }
  });

  it("stores names without bidi overrides and with the extension of the detected type", async () => {
    const disguised = "invoice\u202Efdp.exe";
    const created = (
      await upload(
        tx.id,
        pdfBytes(),
        "application/pdf",
        `?filename=${encodeURIComponent(disguised)}`,
      )
    ).body as Attachment;
    expect(created.filename).toBe("invoicefdp.pdf");
    const { rows } = await app.pool.query<{ filename: string }>(
      "select filename from attachments where id = $1",
      [created.id],
    );
    expect(rows[0]?.filename).toBe("invoicefdp.pdf");
    const executable = (await upload(tx.id, pngBytes(), "image/png", "?filename=photo.png.exe"))
      .body as Attachment;
    expect(executable.filename).toBe("photo_png.png");
  });

  it("lists and serves names stored before they were cleaned, cleaned", async () => {
    const legacy = (await upload(tx.id, pdfBytes(), "application/pdf")).body as Attachment;
    await app.pool.query("update attachments set filename = $2 where id = $1", [
      legacy.id,
      "report\u2067\u202Efdp.scr",
    ]);
    const list = (await member.get(`/transactions/${tx.id}/attachments`)).body as {
      data: Attachment[];
    };
    expect(list.data.find((a) => a.id === legacy.id)?.filename).toBe("reportfdp.pdf");
    const res = await member.get(`/transactions/${tx.id}/attachments/${legacy.id}`);
    expect(res.headers.get("content-disposition")).toBe(
      "attachment; filename=\"reportfdp.pdf\"; filename*=UTF-8''reportfdp.pdf",
    );
  });

  it("lists metadata without content, and deletes", async () => {
    const other = await aTransaction(member, tx.accountId);
    const a = (await upload(other.id, jpegBytes(), "image/jpeg", "?filename=a.jpg"))
      .body as Attachment;
    const b = (await upload(other.id, pdfBytes(), "application/pdf", "?filename=b.pdf"))
      .body as Attachment;
    const list = await member.get(`/transactions/${other.id}/attachments`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ data: [a, b] });

    expect((await member.delete(`/transactions/${other.id}/attachments/${a.id}`)).status).toBe(204);
    expect((await member.get(`/transactions/${other.id}/attachments/${a.id}`)).status).toBe(404);
    expect(
      ((await member.get(`/transactions/${other.id}/attachments`)).body as { data: [] }).data,
    ).toHaveLength(1);
  });

  it("answers 404 for unknown transactions, foreign or unknown attachments and bad ids", async () => {
    const own = (await upload(tx.id, pngBytes(), "image/png")).body as Attachment;
    const other = await aTransaction(member, tx.accountId);
    expect((await upload("999999", pngBytes(), "image/png")).status).toBe(404);
    expect((await upload("nope", pngBytes(), "image/png")).status).toBe(404);
    expect((await member.get("/transactions/999999/attachments")).status).toBe(404);
    expect((await member.get(`/transactions/${other.id}/attachments/${own.id}`)).status).toBe(404);
    expect((await member.delete(`/transactions/${other.id}/attachments/${own.id}`)).status).toBe(
      404,
    );
    expect((await member.get(`/transactions/${tx.id}/attachments/x`)).status).toBe(404);
    expect((await member.get(`/transactions/${tx.id}/attachments/${own.id}`)).status).toBe(200);
  });

  it("goes with its transaction when that is deleted", async () => {
    const doomed = await aTransaction(member, tx.accountId);
    const file = (await upload(doomed.id, pngBytes(), "image/png")).body as Attachment;
    await member.delete(`/transactions/${doomed.id}`);
    const { rows } = await app.pool.query("select 1 from attachments where id = $1", [file.id]);
    expect(rows).toHaveLength(0);
  });

  it("lets a viewer and a read token download but not upload or delete (403)", async () => {
    const file = (await upload(tx.id, pngBytes(), "image/png")).body as Attachment;
    for (const reader of [app.as(app.viewer), app.as(app.member, "read")]) {
      expect((await reader.get(`/transactions/${tx.id}/attachments/${file.id}`)).status).toBe(200);
      expect((await upload(tx.id, pngBytes(), "image/png", "", {}, reader)).status).toBe(403);
      const remove = await reader.delete(`/transactions/${tx.id}/attachments/${file.id}`);
      expect(remove.status).toBe(403);
    }
    expect((await app.anonymous.get(`/transactions/${tx.id}/attachments`)).status).toBe(401);
  });
});
