import type { FastifyInstance, FastifyReply } from "fastify";
import { NO_CREDENTIALS } from "../auth/credentials.js";
import type { Container } from "../container.js";
import { escapeHtml } from "../shared/escape-html.js";

/**
 * The page behind the link in every invitation email (`/invitations/accept?token=…`). Opening it changes
 * nothing — mail scanners prefetch links — and the person confirms with a button, which POSTs the token
 * to the same service call as the acceptInvitation mutation.
 */
export async function registerAcceptPage(app: FastifyInstance, container: Container): Promise<void> {
  await app.register(async (scope) => {
    // Every answer here, refusals included, concerns a URL that carries a token.
    scope.addHook("onSend", async (_request, reply, payload) => {
      void reply.headers(TOKEN_PAGE_HEADERS);
      return payload;
    });
    // Only this scope parses HTML form posts; the API routes keep their JSON-only rules.
    scope.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 4096 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.get<{ Querystring: { token?: string } }>("/invitations/accept", async (request, reply) => {
      const token = typeof request.query.token === "string" ? request.query.token : "";
      if (!token)
        return page(
          reply,
          400,
          "Invitation link incomplete",
          "<p>This link has no invitation token. Open the link from your email again.</p>",
        );
      return page(
        reply,
        200,
        "Accept your invitation",
        `<form method="post" action="/invitations/accept">
          <input type="hidden" name="token" value="${escapeHtml(token)}">
          <p>Confirm to accept the invitation and verify your email address.</p>
          <button type="submit">Accept invitation</button>
        </form>`,
      );
    });

    scope.post<{ Body: { token?: unknown } }>("/invitations/accept", async (request, reply) => {
      const token = typeof request.body?.token === "string" ? request.body.token : "";
      const result = await container.service.acceptInvitation(
        { credentials: NO_CREDENTIALS, requestId: request.id },
        { token },
      );
      switch (result.kind) {
        case "AcceptInvitationSuccess":
          return page(
            reply,
            200,
            "Invitation accepted",
            `<p>Welcome to ${escapeHtml(result.details.tenant.name)}, ${escapeHtml(result.details.invitee.name)}. Your email address is verified.</p>`,
          );
        case "InvitationExpired":
          return page(reply, 410, "Invitation expired", `<p>${escapeHtml(result.message)}</p>`);
        case "InvalidInvitationToken":
          return page(reply, 404, "Invitation not valid", `<p>${escapeHtml(result.message)}</p>`);
        case "PermissionDenied":
          return page(
            reply,
            403,
            "Invitation not accepted",
            `<p>${escapeHtml(result.message)}</p>` +
              result.notices.map((notice) => `<p>${escapeHtml(notice)}</p>`).join(""),
          );
        default: {
          const _exhaustive: never = result;
          throw new Error(`unhandled accept result ${JSON.stringify(_exhaustive)}`);
        }
      }
    });
  });
}

/**
 * The page's URL holds the invitation token: it must not leak through the Referer header, be kept by a cache,
 * or be framed by another site (clickjacking the Accept button).
 */
const TOKEN_PAGE_HEADERS = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  // For browsers that predate CSP's frame-ancestors.
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
} as const;

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .header("content-type", "text/html; charset=utf-8")
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>` +
        `<style>body{font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1f2328}button{padding:.6rem 1rem;font-size:1rem}</style></head>` +
        `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}
