const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

const SPECIAL = /[&<>"']/;
const SPECIALS = /[&<>"']/g;

/** Escapes what can break out of HTML text or a quoted attribute, and nothing more, so links stay readable. */
export function escapeHtml(value: string): string {
  const text = String(value);
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => HTML_ESCAPES[c]!) : text;
}
