import type { ImportFormat } from "./types.ts";

/** Which format a file is, from the start of its text (the extension is not trusted). */
export function detectFormat(sample: string): ImportFormat {
  const head = sample
    .replace(/^\uFEFF/, "")
    .trimStart()
    .slice(0, 4096);
  if (/^OFXHEADER\s*:/i.test(head) || /<OFX>/i.test(head) || /<\?OFX\s/i.test(head)) return "ofx";
  if (/^<\?xml[\s\S]*camt\.053|<BkToCstmrStmt>/i.test(head)) return "camt053";
  if (/^!(Type|Account|Option)/i.test(head)) return "qif";
  if (/^(\{1:[^}]*\}(\{2:[^}]*\})?\{4:\s*)?:20:/m.test(head) && /^:61:|^:60F:/m.test(head))
    return "mt940";
  if (head.startsWith(":20:")) return "mt940";
  return "csv";
}
