import Mustache from "mustache";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { templatesFolder } from "../paths.js";
import { escapeHtml } from "../shared/escape-html.js";

export interface InvitationEmailVars {
  readonly tenantName: string;
  readonly inviterName: string;
  readonly inviteeName: string;
  readonly acceptUrl: string;
  readonly expiresAt: number;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export type InvitationEmailRenderer = (vars: InvitationEmailVars) => RenderedEmail;

/**
 * Loads the invitation templates from `templates/` (deployers may edit them) once, and returns the renderer.
 * `{{name}}` is HTML-escaped in the HTML part; the text part is rendered with escaping off, since it is not HTML.
 */
export function loadInvitationEmailRenderer(folder: string = templatesFolder): InvitationEmailRenderer {
  const read = (name: string) => readFileSync(join(folder, name), "utf8");
  const subject = compileTemplate(read("invitation.subject.mustache"), unescaped);
  const text = compileTemplate(read("invitation.text.mustache"), unescaped);
  const html = compileTemplate(read("invitation.html.mustache"), escapeHtml);

  return (vars) => {
    const view = { ...vars, expiresAt: formatDate(vars.expiresAt) };
    return {
      subject: subject(view).trim().replace(/\s+/g, " "),
      text: text(view),
      html: html(view),
    };
  };
}

type View = Readonly<Record<string, string>>;
type Template = (view: View) => string;
type MustacheToken = readonly [type: string, value: string, ...rest: unknown[]];

const unescaped = (value: string) => value;

/**
 * A template made only of text and `{{name}}` / `{{{name}}}` tags (the shipped ones) renders as a join of its
 * parsed pieces, an email per request being on the resend path; any other Mustache feature renders through
 * Mustache itself, with the same escaping.
 */
export function compileTemplate(source: string, escape: (value: string) => string): Template {
  const tokens = Mustache.parse(source) as unknown as readonly MustacheToken[];
  const plainTags = tokens.every(
    ([type, value]) => type === "text" || ((type === "name" || type === "&") && /^\w+$/.test(value)),
  );
  if (!plainTags) return (view) => Mustache.render(source, view, undefined, { escape });
  const pieces = tokens.map(([type, value]) => ({
    value,
    literal: type === "text",
    escaped: type === "name",
  }));
  return (view) => {
    let out = "";
    for (const { value, literal, escaped } of pieces) {
      if (literal) out += value;
      else {
        const field = view[value] ?? "";
        out += escaped ? escape(field) : field;
      }
    }
    return out;
  };
}

/** `2026-03-08 12:00:00 UTC`. */
function formatDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
