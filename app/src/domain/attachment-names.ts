/** The longest stored file name, in characters, as the attachments table allows. */
export const MAX_FILENAME_LENGTH = 255;

// The extensions that honestly name each type, the one a renamed file gets first.
const extensions: Readonly<Record<string, readonly string[]>> = {
  "application/pdf": ["pdf"],
  "image/jpeg": ["jpg", "jpeg", "jpe", "jfif"],
  "image/png": ["png"],
  "image/webp": ["webp"],
  "image/heic": ["heic", "heif"],
  "image/heif": ["heif", "heic"],
};

// Control characters (C0, DEL, C1), format characters (bidi embeddings, overrides and isolates
// U+202A-U+202E and U+2066-U+2069, the marks U+200E/U+200F/U+061C, zero-width characters, BOM)
// and line or paragraph separators: none belongs in a file name, and the bidi ones let
// "invoice\u202Efdp.exe" display as "invoiceexe.pdf".
const invisible = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

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

/** Cuts `name` to MAX_FILENAME_LENGTH characters, keeping a short extension. */
function shorten(name: string): string {
  const chars = [...name];
  if (chars.length <= MAX_FILENAME_LENGTH) return name;
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  const keep = extension.length < 20 ? extension : [];
  return [...chars.slice(0, MAX_FILENAME_LENGTH - keep.length), ...keep].join("");
}

/**
 * A file name safe to store and to offer back: no folders, no control, format or bidi
 * characters, and an extension that matches `mediaType` (the type the bytes were detected as).
 * A name whose extension disagrees loses it, its other dots become `_` and the type's own
 * extension is added: "photo.png.exe" holding a PNG becomes "photo_png.png", so no name can
 * pass a file off as something it is not. At most MAX_FILENAME_LENGTH characters;
 * `receipt.<ext>` when nothing is left. Idempotent, so names stored before it existed are
 * cleaned the same way when they are shown.
 */
export function cleanFilename(name: string | undefined, mediaType: string): string {
  const honest = extensions[mediaType] ?? [];
  const own = honest[0] ?? "bin";
  const base = (name ?? "").split(/[/\\]/).at(-1) ?? "";
  // Trailing dots and spaces: Windows drops them, so they must not hide the real extension.
  const visible = base
    .replace(invisible, "")
    .trim()
    .replace(/[.\s]+$/, "");
  if (visible.replace(/\./g, "") === "") return `receipt.${own}`;
  const dot = visible.lastIndexOf(".");
  const extension = dot > 0 ? visible.slice(dot + 1).toLowerCase() : "";
  if (honest.includes(extension)) return shorten(visible);
  const stem = /^[\p{L}\p{N}]{1,16}$/u.test(extension) ? visible.slice(0, dot) : visible;
  return shorten(`${stem.replace(/\./g, "_")}.${own}`);
}

/**
 * The ASCII stand-in of `filename` for clients that ignore `filename*` (RFC 6266 section 4.3):
 * accents dropped, anything else outside printable ASCII, and the quote, backslash and percent
 * sign (which some browsers decode), replaced by `_`.
 */
function asciiFallback(filename: string): string {
  return filename
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\x20-\x7e]|["\\%]/g, "_");
}

/**
 * `attachment; filename="..."; filename*=UTF-8''...` (RFC 6266, RFC 5987): a download, never
 * shown inline, the name in full for clients that read `filename*` and in ASCII for the rest.
 */
export function attachmentDisposition(filename: string): string {
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${asciiFallback(filename)}"; filename*=UTF-8''${encoded}`;
}
