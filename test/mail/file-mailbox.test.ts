import { simpleParser } from "mailparser";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createMailTransport, DEFAULT_MAIL_DIR } from "../../src/mail/mail-transport.js";

const email = {
  from: "Invitations <no-reply@invites.example.test>",
  to: "bob@acme.test",
  subject: "Ada Admin invited you to join Acme",
  text: "Hello Bob,\n\nOpen https://invites.example.test/invitations/accept?token=t1\n",
  html: '<p>Hello Bob, <a href="https://invites.example.test/invitations/accept?token=t1">accept</a></p>',
  messageId: "<invitation-7.abc@invites.example.test>",
};

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("file mailbox (SMTP_URL unset)", () => {
  it("writes a valid .eml per email, named after its Message-ID", async () => {
    dir = mkdtempSync(join(tmpdir(), "invitation-api-mailbox-"));
    const mailDir = join(dir, "data", "mail");
    const transport = createMailTransport({ smtpUrl: null, mailDir });
    expect(transport.description).toBe(`files in ${mailDir}`);

    await transport.send(email);
    await transport.send(email); // a retry of the same email replaces its file
    transport.close();

    expect(readdirSync(mailDir)).toEqual(["invitation-7.abc@invites.example.test.eml"]);
    // Readable by the server's user alone: the file holds a live accept link (issue 15.7).
    expect(statSync(mailDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "data")).mode & 0o777).toBe(0o700);
    expect(statSync(join(mailDir, "invitation-7.abc@invites.example.test.eml")).mode & 0o777).toBe(0o600);
    const raw = readFileSync(join(mailDir, "invitation-7.abc@invites.example.test.eml"), "utf8");
    expect(raw).toMatch(/^[\x20-\x7e\r\n\t]+$/); // 7-bit clean
    expect(raw.split("\r\n").length).toBeGreaterThan(10);
    expect(raw.replace(/\r\n/g, "")).not.toContain("\n"); // CRLF line ends throughout

    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe(email.messageId);
    expect(parsed.from?.value).toEqual([{ name: "Invitations", address: "no-reply@invites.example.test" }]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : null).toEqual([
      { name: "", address: "bob@acme.test" },
    ]);
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.date).toBeInstanceOf(Date);
    expect(parsed.headers.get("mime-version")).toBe("1.0");
    expect(parsed.text).toBe(email.text);
    expect(parsed.html).toBe(email.html);
  });

  it("defaults to ./data/mail under the working directory", () => {
    dir = mkdtempSync(join(tmpdir(), "invitation-api-mailbox-"));
    expect(createMailTransport({ smtpUrl: null }).description).toBe(`files in ${resolve(DEFAULT_MAIL_DIR)}`);
    expect(resolve(DEFAULT_MAIL_DIR)).toBe(join(process.cwd(), "data", "mail"));
  });
});
