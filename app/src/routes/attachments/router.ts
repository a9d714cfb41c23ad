import { createHash } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import { errors } from "../../errors.ts";
import { route, type Route } from "../../http/route.ts";
import { isForeignKeyViolation } from "../../db/transaction.ts";
import { parseId, PathIdSchema, pathId } from "../../http/ids.ts";
import { problemResponse } from "../../http/schema.ts";
import {
  ATTACHMENT_TYPES,
  detectAttachmentType,
  UPLOAD_CONTENT_TYPES,
} from "../../domain/attachment-types.ts";
import {
  attachmentDisposition,
  cleanFilename,
  filenameFromDisposition,
} from "../../domain/attachment-names.ts";

/** An attachment's metadata as the API shows it. */
export const AttachmentSchema = z.object({
  id: z.string(),
  filename: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  createdAt: z.string(),
});
type Attachment = z.infer<typeof AttachmentSchema>;

const TransactionParams = z.object({ id: PathIdSchema });
const AttachmentParams = z.object({ id: PathIdSchema, attachmentId: PathIdSchema });

/** The largest receipt: 10 MiB, as the attachments table allows. */
export const MAX_ATTACHMENT_SIZE = "10mb";

interface AttachmentRow {
  id: string;
  filename: string;
  media_type: string;
  size: number;
  sha256: string;
  created_at: Date;
}

const columns = "id::text, filename, media_type, size, sha256, created_at";

function present(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    // Cleaned again on the way out: rows stored before names were cleaned this way still exist.
    filename: cleanFilename(row.filename, row.media_type),
    mediaType: row.media_type,
    size: row.size,
    sha256: row.sha256,
    createdAt: row.created_at.toISOString(),
  };
}

async function requireTransaction(db: pg.Pool, id: string): Promise<void> {
  const { rowCount } = await db.query("select 1 from transactions where id = $1", [id]);
  if (rowCount === 0) throw errors.notFound("the transaction");
}

const tag = "attachments";
const notFound = { 404: problemResponse("No such transaction or attachment") };

/**
 * Receipts on transactions, stored in PostgreSQL. The type is decided by the bytes alone
 * (a PNG declared as PDF is stored as PNG; text declared as PNG is refused), and downloads are
 * always attachments with nosniff, so an upload can never become a page of this site.
 */
export function attachmentRoutes(db: pg.Pool): Route[] {
  return [
    route({
      method: "post",
      path: "/transactions/:id/attachments",
      operationId: "uploadAttachment",
      summary: "Attach a receipt (PDF, JPEG, PNG, WebP or HEIC; 10 MB at most)",
      description:
        "The body is the file itself. Its name comes from `?filename=` or a " +
        "Content-Disposition header; its type from its bytes.",
      tag,
      access: "write",
      params: TransactionParams,
      query: z.object({ filename: z.string().max(1000).optional() }),
      rawBody: { contentTypes: UPLOAD_CONTENT_TYPES, limit: MAX_ATTACHMENT_SIZE },
      status: 201,
      responses: {
        201: { description: "The stored attachment", schema: AttachmentSchema },
        ...notFound,
        413: problemResponse("Larger than 10 MB"),
        415: problemResponse("Not a PDF, JPEG, PNG, WebP or HEIC file"),
        422: problemResponse("An empty file"),
      },
      handler: async ({ params, query, req, body, principal }) => {
        const transactionId = pathId(params.id, "the transaction");
        // rawBody routes get the bytes as `body`, which the zod-typed signature cannot say.
        const raw: unknown = body;
        const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
        if (!req.is([...UPLOAD_CONTENT_TYPES])) {
          throw errors.unsupportedMediaType(
            `send the file as one of ${UPLOAD_CONTENT_TYPES.join(", ")}`,
          );
        }
        if (bytes.length === 0) throw errors.validation([{ path: "body", message: "is empty" }]);
        const mediaType = await detectAttachmentType(bytes);
        if (mediaType === undefined) {
          throw errors.unsupportedMediaType("the file is not a PDF, JPEG, PNG, WebP or HEIC image");
        }
        const filename = cleanFilename(
          query.filename ?? filenameFromDisposition(req.get("content-disposition")),
          mediaType,
        );
        const sha256 = createHash("sha256").update(bytes).digest("hex");
        try {
          const { rows } = await db.query<AttachmentRow>(
            `insert into attachments
               (transaction_id, filename, media_type, size, sha256, content, created_by)
             select $1, $2, $3, $4, $5, $6, $7 where exists (select 1 from transactions where id = $1)
             returning ${columns}`,
            [
              transactionId,
              filename,
              mediaType,
              bytes.length,
              sha256,
              bytes,
              parseId(principal.userId) ?? null,
            ],
          );
          const row = rows[0];
          if (row === undefined) throw errors.notFound("the transaction");
          return present(row);
        } catch (error) {
          if (isForeignKeyViolation(error)) throw errors.notFound("the transaction");
          throw error;
        }
      },
    }),
    route({
      method: "get",
      path: "/transactions/:id/attachments",
      operationId: "listAttachments",
      summary: "List a transaction's attachments",
      tag,
      access: "read",
      params: TransactionParams,
      responses: {
        200: {
          description: "Their metadata, oldest first",
          schema: z.object({ data: z.array(AttachmentSchema) }),
        },
        ...notFound,
      },
      handler: async ({ params }) => {
        const transactionId = pathId(params.id, "the transaction");
        await requireTransaction(db, transactionId);
        const { rows } = await db.query<AttachmentRow>(
          `select ${columns} from attachments where transaction_id = $1 order by attachments.id`,
          [transactionId],
        );
        return { data: rows.map(present) };
      },
    }),
    route({
      method: "get",
      path: "/transactions/:id/attachments/:attachmentId",
      operationId: "downloadAttachment",
      summary: "Download an attachment",
      tag,
      access: "read",
      params: AttachmentParams,
      responses: {
        200: {
          description: "The file, as an attachment, with the media type its bytes showed on upload",
          contentType: ATTACHMENT_TYPES,
        },
        ...notFound,
      },
      handler: async ({ params, res }) => {
        const transactionId = pathId(params.id, "the attachment");
        const attachmentId = pathId(params.attachmentId, "the attachment");
        const { rows } = await db.query<{ filename: string; media_type: string; content: Buffer }>(
          `select filename, media_type, content from attachments
           where id = $1 and transaction_id = $2`,
          [attachmentId, transactionId],
        );
        const row = rows[0];
        if (row === undefined) throw errors.notFound("the attachment");
        res
          .status(200)
          .set({
            "Content-Type": row.media_type,
            "Content-Disposition": attachmentDisposition(
              cleanFilename(row.filename, row.media_type),
            ),
            "X-Content-Type-Options": "nosniff",
            "Content-Length": String(row.content.length),
          })
          .end(row.content);
        return undefined;
      },
    }),
    route({
      method: "delete",
      path: "/transactions/:id/attachments/:attachmentId",
      operationId: "deleteAttachment",
      summary: "Delete an attachment",
      tag,
      access: "write",
      params: AttachmentParams,
      status: 204,
      responses: { 204: { description: "Deleted" }, ...notFound },
      handler: async ({ params }) => {
        const transactionId = pathId(params.id, "the attachment");
        const attachmentId = pathId(params.attachmentId, "the attachment");
        const { rowCount } = await db.query(
          "delete from attachments where id = $1 and transaction_id = $2",
          [attachmentId, transactionId],
        );
        if (rowCount === 0) throw errors.notFound("the attachment");
        return undefined;
      },
    }),
  ];
}
