/** What the GraphQL IDE page shows: its markup, its security policy and the operations it opens with. */

/** The headers editor's preset: the caller replaces the placeholder with an API key. */
export const IDE_HEADERS = JSON.stringify({ Authorization: "Bearer <your key>" }, null, 2);

/**
 * What a resend can answer: the success with its invitation, and every field of every error member
 * (`UserError` covers each one's code and message; the spreads after it add what only some carry).
 */
const RESEND_OUTCOME_FRAGMENT = `fragment ResendOutcome on ResendInvitationResult {
  __typename
  ... on ResendInvitationSuccess {
    sentTo
    clientMutationId
    invitation {
      id
      uuid
      status
      email
      expiresAt
      sendCount
      lastSentAt
      createdAt
      invitee { id uuid name email }
      inviter { id name }
    }
  }
  ... on UserError {
    code
    message
  }
  ... on PermissionDenied { notices }
  ... on InvalidInput { fieldErrors { path message } }
  ... on InvitationNotPending { status }
  ... on ResendRateLimited { retryAfterSeconds }
}`;

export interface IdeTab {
  readonly query: string;
  readonly variables: string;
  readonly headers: string;
}

function resendTab(comment: string, operation: string, variables: Record<string, string>): IdeTab {
  return {
    query: `${comment}\n${operation}\n\n${RESEND_OUTCOME_FRAGMENT}\n`,
    variables: JSON.stringify(variables, null, 2),
    headers: IDE_HEADERS,
  };
}

/** The tabs the IDE opens with (GraphiQL names each after its operation). */
export const IDE_TABS: readonly IdeTab[] = [
  resendTab(
    "# Resends one invitation, by id or uuid.\n# Headers: your API key. Variables: the id.",
    `mutation ResendByInvitationId($invitationId: ID!) {
  resendInvitation(input: { invitationId: $invitationId }) {
    ...ResendOutcome
  }
}`,
    { invitationId: "<invitation id>" },
  ),
  resendTab(
    "# Resends a user's latest pending invitation,\n# creating one if there is none. By id or uuid.",
    `mutation ResendByUserId($userId: ID!) {
  resendInvitation(input: { userId: $userId }) {
    ...ResendOutcome
  }
}`,
    { userId: "<user id>" },
  ),
];

/**
 * Everything the page may load comes from this server; data: covers the fonts inlined in GraphiQL's CSS.
 * Inline styles stay allowed because React and GraphiQL's popovers set them.
 */
export const IDE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export interface IdePageAssets {
  readonly stylesheets: readonly string[];
  /** Classic scripts that define globals, in order. */
  readonly scripts: readonly string[];
  /** The module that starts the IDE once the scripts have run. */
  readonly entry: string;
}

export function renderIdePage(assets: IdePageAssets, endpoint: string): string {
  const config = { endpoint, headers: IDE_HEADERS, tabs: IDE_TABS };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>GraphQL IDE · Invitation API</title>
    <link rel="icon" href="data:,">
${assets.stylesheets.map((href) => `    <link rel="stylesheet" href="${href}">`).join("\n")}
  </head>
  <body style="margin: 0">
    <div id="graphiql" style="height: 100vh"></div>
    <script type="application/json" id="graphql-ide-config">${jsonForScriptElement(config)}</script>
${assets.scripts.map((src) => `    <script src="${src}"></script>`).join("\n")}
    <script type="module" src="${assets.entry}"></script>
  </body>
</html>
`;
}

/** JSON inside <script> must not contain "</script>" or "<!--": escaping every "<" rules both out. */
function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}
