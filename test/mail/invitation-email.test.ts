import Mustache from "mustache";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileTemplate, loadInvitationEmailRenderer } from "../../src/mail/invitation-email.js";
import { templatesFolder } from "../../src/paths.js";
import { escapeHtml } from "../../src/shared/escape-html.js";

const vars = {
  tenantName: "Acme & Sons",
  inviterName: `Ada "The Countess" O'Lovelace`,
  inviteeName: "<script>alert(1)</script>",
  acceptUrl: "https://invites.example.test/invitations/accept?token=abc&x=1",
  expiresAt: Date.parse("2026-03-08T12:00:00.123Z"),
};

describe("the invitation email", () => {
  const email = loadInvitationEmailRenderer()(vars);

  it("escapes every value in the HTML part, and none in the text part and subject", () => {
    expect(email.html).toContain("Hello &lt;script&gt;alert(1)&lt;/script&gt;,");
    expect(email.html).toContain("Ada &quot;The Countess&quot; O&#39;Lovelace");
    expect(email.html).toContain('href="https://invites.example.test/invitations/accept?token=abc&amp;x=1"');
    expect(email.html).not.toContain("<script>");
    expect(email.text).toContain("Hello <script>alert(1)</script>,");
    expect(email.text).toContain("https://invites.example.test/invitations/accept?token=abc&x=1\n");
    expect(email.subject).toBe(`Ada "The Countess" O'Lovelace invited you to join Acme & Sons`);
  });

  it("writes the expiry as a UTC date and time to the second", () => {
    expect(email.text).toContain("expires on 2026-03-08 12:00:00 UTC.");
    expect(email.html).toContain("expires on 2026-03-08 12:00:00 UTC.");
  });

  it("renders the shipped templates exactly as Mustache does", () => {
    const view = { ...vars, expiresAt: "2026-03-08 12:00:00 UTC" };
    for (const name of ["invitation.html.mustache", "invitation.text.mustache"]) {
      const source = readFileSync(join(templatesFolder, name), "utf8");
      expect(compileTemplate(source, escapeHtml)(view)).toBe(
        Mustache.render(source, view, undefined, { escape: escapeHtml }),
      );
    }
  });

  it("renders templates edited to use sections through Mustache, with the same escaping", () => {
    const folder = mkdtempSync(join(tmpdir(), "templates-"));
    writeFileSync(
      join(folder, "invitation.subject.mustache"),
      "{{#tenantName}}Join {{tenantName}}{{/tenantName}}",
    );
    writeFileSync(join(folder, "invitation.text.mustache"), "{{^missing}}Hi {{inviteeName}}{{/missing}}");
    writeFileSync(
      join(folder, "invitation.html.mustache"),
      "{{#inviteeName}}<p>{{inviteeName}}</p>{{/inviteeName}}",
    );
    const edited = loadInvitationEmailRenderer(folder)(vars);
    expect(edited.subject).toBe("Join Acme & Sons");
    expect(edited.text).toBe("Hi <script>alert(1)</script>");
    expect(edited.html).toBe("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
  });

  it("leaves unknown names empty, as Mustache does", () => {
    expect(compileTemplate("[{{nobody}}|{{{nothing}}}]", escapeHtml)({})).toBe("[|]");
  });
});
