import { useState } from "preact/hooks";
import { api, type Attachment, messageOf } from "../lib/api.ts";
import { formatBytes } from "../lib/format.ts";
import { useResource } from "../lib/resource.ts";
import { useDropZone } from "../lib/drop-zone.ts";

const accepted = "application/pdf,image/jpeg,image/png,image/webp,image/heic,image/heif";
const previewable = new Set(["image/jpeg", "image/png", "image/webp"]);

function readAsDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      resolve(typeof reader.result === "string" ? reader.result : "");
    };
    reader.onerror = () => {
      reject(reader.error ?? new Error("could not read the file"));
    };
    reader.readAsDataURL(blob);
  });
}

/** A thumbnail of an image receipt. The CSP allows data: images (not blob:), hence data URLs. */
function Preview(props: { url: string; attachment: Attachment }) {
  const image = useResource(async () => {
    if (!previewable.has(props.attachment.mediaType)) return undefined;
    const res = await fetch(props.url, { credentials: "same-origin" });
    if (!res.ok) throw new Error(`download failed (${String(res.status)})`);
    return readAsDataUrl(await res.blob());
  }, [props.url]);
  if (image.data) {
    return <img class="thumb" src={image.data} alt={`Preview of ${props.attachment.filename}`} />;
  }
  return (
    <span class="thumb thumb-file" aria-hidden="true">
      {props.attachment.mediaType === "application/pdf" ? "PDF" : "FILE"}
    </span>
  );
}

/**
 * A transaction's receipts: drop files on the zone (or pick them with the button), see
 * previews of images, download or delete each.
 */
export function Attachments(props: { transactionId: string; canWrite: boolean }) {
  const base = `/transactions/${props.transactionId}/attachments`;
  const list = useResource(() => api.get<{ data: Attachment[] }>(base), [base]);
  const [status, setStatus] = useState<string>("");
  const [error, setError] = useState<string>("");

  const upload = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setError("");
    for (const file of Array.from(files)) {
      setStatus(`Uploading ${file.name}…`);
      try {
        await api.upload<Attachment>(`${base}?filename=${encodeURIComponent(file.name)}`, file);
        setStatus(`${file.name} attached.`);
      } catch (e) {
        setError(`${file.name}: ${messageOf(e)}`);
        setStatus("");
      }
    }
    list.reload();
  };
  const drop = useDropZone((files) => void upload(files));

  return (
    <div class="attachments">
      <h3>Receipts</h3>
      {list.data && list.data.data.length > 0 && (
        <ul class="attachment-list">
          {list.data.data.map((a) => {
            const url = `/api/v1${base}/${a.id}`;
            return (
              <li key={a.id}>
                <Preview url={url} attachment={a} />
                <span class="list-main">
                  <span class="list-title">{a.filename}</span>
                  <span class="list-sub">{formatBytes(a.size)}</span>
                </span>
                <a class="button" href={url} download={a.filename}>
                  Download<span class="sr-only"> {a.filename}</span>
                </a>
                {props.canWrite && (
                  <button
                    type="button"
                    class="danger"
                    onClick={() => {
                      void api.del(`${base}/${a.id}`).then(list.reload, (e: unknown) => {
                        setError(messageOf(e));
                      });
                    }}
                  >
                    Delete<span class="sr-only"> {a.filename}</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {list.data?.data.length === 0 && !props.canWrite && <p class="muted">No receipts.</p>}
      {props.canWrite && (
        <div class={`dropzone ${drop.dragging ? "dragging" : ""}`} {...drop.handlers}>
          <p>Drop a receipt photo or PDF here (10 MB at most), or</p>
          <label class="button">
            Choose a file
            <input
              class="sr-only"
              type="file"
              accept={accepted}
              multiple
              onChange={(e) => {
                void upload(e.currentTarget.files);
                e.currentTarget.value = "";
              }}
            />
          </label>
        </div>
      )}
      <p class="muted" role="status" aria-live="polite">
        {status}
      </p>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
