/** The longest stored file name, in characters, as the attachments table allows. */
export const MAX_FILENAME_LENGTH = 255;

const extensions: Readonly<Record<string, string>> = {
  "application/pdf": "pdf",
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/heic": "heic",
  "image/heif": "heif",
};

/** The file name a Content-Disposition header carries, `filename*` (RFC 5987) first. */
export function filenameFromDisposition(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const extended = /filename\*\s*=\s*([^;]+)/i.exec(header)?.[1]?.trim();
  if (extended !== undefined) {
    const match = /^UTF-8'[^']*'(.+)$/i.exec(extended);
    if (match?.[1] !== undefined) {
      try {
        return decodeURIComponent(match[1]);
      } catch {
        // A malformed escape: fall back to the plain parameter.
      }
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header)?.[1];
  if (quoted !== undefined) return quoted.replace(/\\(.)/g, "$1");
  return /filename\s*=\s*([^;\s]+)/i.exec(header)?.[1];
}

/**
 * A file name safe to store and to offer back: no folders, no control characters, at most
 * MAX_FILENAME_LENGTH characters (the extension kept); `receipt.<ext>` when nothing is left.
 */
export function cleanFilename(name: string | undefined, mediaType: string): string {
  const base = (name ?? "").split(/[/\\]/).at(-1) ?? "";
  // eslint-disable-next-line no-control-regex -- control characters are exactly what goes
  const visible = base.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  const chars = [...visible];
  if (chars.length === 0 || visible === "." || visible === "..") {
    return `receipt.${extensions[mediaType] ?? "bin"}`;
  }
  if (chars.length <= MAX_FILENAME_LENGTH) return visible;
  const dot = visible.lastIndexOf(".");
  const extension = dot > 0 ? [...visible.slice(dot)] : [];
  const keep = extension.length < 20 ? extension : [];
  return [...chars.slice(0, MAX_FILENAME_LENGTH - keep.length), ...keep].join("");
}

/** `attachment; filename*=UTF-8''...`: a download, never shown inline, any name intact. */
export function attachmentDisposition(filename: string): string {
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename*=UTF-8''${encoded}`;
}
