/**
 * The Message-ID of an outbox row: the same on every attempt, so a receiver that sees the email twice
 * (a crash between sending and recording) can tell it is one message. The creation time keeps ids from
 * two databases behind one sender apart; the domain is the sender's, as RFC 5322 recommends.
 */
export function outboxMessageId(outbox: { id: number; createdAt: number }, mailFrom: string): string {
  return `<invitation-${outbox.id}.${outbox.createdAt.toString(36)}@${senderDomain(mailFrom)}>`;
}

/** The domain of `MAIL_FROM` ("Name <user@domain>" or "user@domain"), validated by the configuration. */
function senderDomain(mailFrom: string): string {
  return /@([^@\s<>]+)>?\s*$/.exec(mailFrom)?.[1] ?? "localhost";
}
