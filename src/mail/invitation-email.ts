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
  const subject = read("invitation.subject.mustache");
  const text = read("invitation.text.mustache");
  const html = read("invitation.html.mustache");
  for (const template of [subject, text, html]) Mustache.parse(template);

  return (vars) => {
    const view = { ...vars, expiresAt: formatDate(vars.expiresAt) };
    const plain = { escape: (value: string) => value };
    return {
      subject: Mustache.render(subject, view, undefined, plain).trim().replace(/\s+/g, " "),
      text: Mustache.render(text, view, undefined, plain),
      html: Mustache.render(html, view, undefined, { escape: escapeHtml }),
    };
  };
}

function formatDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, " UTC");
}
