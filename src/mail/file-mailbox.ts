import nodemailer from "nodemailer";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MailTransport } from "./mail-transport.js";

/**
 * Writes each email as an RFC 5322 `.eml` file (CRLF line ends, as mail clients expect) built by nodemailer,
 * named after its Message-ID: a retry of the same email overwrites its file instead of adding a second one.
 */
export function fileMailbox(dir: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    description: `files in ${dir}`,
    async send(email) {
      const { message } = await composer.sendMail({ ...email, newline: "windows" });
      const name = email.messageId.replace(/^<|>$/g, "").replace(/[^\w.@-]/g, "_");
      // Owner only: each file carries a live accept link.
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // Write then rename, so nobody ever reads half a file.
      const partial = join(dir, `.${name}.partial`);
      await writeFile(partial, message, { mode: 0o600 });
      await rename(partial, join(dir, `${name}.eml`));
    },
    close: () => composer.close(),
  };
}
