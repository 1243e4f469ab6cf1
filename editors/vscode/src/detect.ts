// Which documents are Koreo. Pure, unit-tested.

/** File names that are Koreo by extension (the `koreo` language contributes these). */
export function isKoreoFileName(fileName: string): boolean {
  return /\.(k\.ya?ml|koreo|k)$/i.test(fileName);
}

export function isYamlFileName(fileName: string): boolean {
  return /\.ya?ml$/i.test(fileName);
}

// Only the start of a big file is scanned: Koreo resources declare apiVersion near the top of each
// document, and a generated multi-megabyte manifest must not cost a full scan on every keystroke.
const SCAN_LIMIT = 256 * 1024;

/**
 * True if any YAML document in `text` has a top-level `apiVersion: koreo.dev/...` (block or flow
 * style, quoted or not). Indented or commented-out lines do not count: an embedded manifest or a
 * FunctionTest's expected resource is not a Koreo resource.
 */
export function hasKoreoApiVersion(text: string): boolean {
  const head = text.length > SCAN_LIMIT ? text.slice(0, SCAN_LIMIT) : text;
  if (!head.includes('koreo.dev/')) return false;
  // Block style: a line at column 0.
  if (/^apiVersion[ \t]*:[ \t]*["']?koreo\.dev\/[^\s"'#]*["']?[ \t]*(?:#.*)?$/m.test(head)) return true;
  // Flow style document: {apiVersion: koreo.dev/v1beta1, kind: ...} starting at column 0.
  return /^\{[^\n]*?\bapiVersion[ \t]*:[ \t]*["']?koreo\.dev\//m.test(head);
}
