import nodemailer from "nodemailer";
import SMTPPool from "nodemailer/lib/smtp-pool/index.js";
import { resolve } from "node:path";
import { fileMailbox } from "./file-mailbox.js";

/** One email, ready to go: everything the transport needs and nothing it has to look up. */
export interface OutgoingEmail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** With angle brackets, e.g. `<invitation-7.abc@example.com>`. */
  readonly messageId: string;
}

export interface MailTransport {
  /** Where mail goes, for the start-up log; never includes credentials. */
  readonly description: string;
  /** Resolves once the mail server (or the disk) has accepted the email; rejects with the reason otherwise. */
  send(email: OutgoingEmail): Promise<void>;
  /** Releases connections; an email being sent finishes first. */
  close(): void;
}

/** Where emails go when SMTP_URL is unset (contract §1), resolved against the working directory. */
export const DEFAULT_MAIL_DIR = "data/mail";

/**
 * Bounds on every network step, so a silent or slow mail server costs a retry, not a stuck worker:
 * worst case about a minute per attempt, well inside the delivery lease.
 */
const SMTP_TIMEOUTS = {
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  socketTimeout: 30_000,
  dnsTimeout: 10_000,
};

/** SMTP when `smtpUrl` is set, otherwise `.eml` files under `mailDir`. */
export function createMailTransport(options: { smtpUrl: string | null; mailDir?: string }): MailTransport {
  if (options.smtpUrl !== null) return smtpTransport(options.smtpUrl);
  return fileMailbox(resolve(options.mailDir ?? DEFAULT_MAIL_DIR));
}

/**
 * A pooled nodemailer SMTP transport: connections are reused across emails. The URL may carry nodemailer's
 * query options (e.g. `?tls.rejectUnauthorized=false`), which override the defaults here.
 */
function smtpTransport(smtpUrl: string): MailTransport {
  const mailer = nodemailer.createTransport(
    new SMTPPool({ pool: true, url: smtpUrl, maxConnections: 2, ...SMTP_TIMEOUTS }),
  );
  const url = new URL(smtpUrl);
  return {
    description: `${url.protocol}//${url.host}`,
    async send(email) {
      await mailer.sendMail({ ...email });
    },
    close: () => mailer.close(),
  };
}
