import type { DemoCredentials, DemoTenant } from "./fixtures/demo.js";
import type { RunningServer } from "./server.js";

/**
 * What `npm start` prints to stdout in demo mode: on the start that loads the demo, its admin key and
 * ready-to-paste requests (each resending its own demo invitation); on later starts, how to issue a new key.
 * Empty outside demo mode.
 */
export function startupBanner(
  server: Pick<RunningServer, "url" | "demo" | "earlierDemo">,
  ide: boolean,
): string {
  if (server.demo) return firstStartBanner(server.url, server.demo, ide);
  if (server.earlierDemo) return laterStartBanner(server.earlierDemo);
  return "";
}

function firstStartBanner(url: string, demo: DemoCredentials, ide: boolean): string {
  const key = demo.apiKey;
  const { graphqlInvitationId, restInvitationId } = demo.examples;
  const mutation = `mutation { resendInvitation(input: { invitationId: \\"${graphqlInvitationId}\\" }) { __typename ... on ResendInvitationSuccess { sentTo invitation { id status expiresAt sendCount } } ... on UserError { code message } } }`;
  return [
    "",
    `Demo data loaded for tenant "${demo.tenant.name}" (id ${demo.tenant.id}).`,
    `Admin API key (shown once, stored only as a hash): ${key}`,
    "",
    "Resend an invitation with GraphQL:",
    `curl -s ${url}/graphql -H 'Content-Type: application/json' -H 'Authorization: Bearer ${key}' \\`,
    `  -d '{"query":"${mutation}"}'`,
    "",
    "Or through a REST compatibility path:",
    `curl -s -X PUT '${url}/tenant/${demo.tenant.id}/admin/user/invitation/resend?id=${restInvitationId}' -H 'X-Api-Key: ${key}'`,
    "",
    ...(ide ? ideLines(url, demo) : []),
    "The README's examples (each resends another demo invitation) read the key from $KEY:",
    `export KEY='${key}'`,
    "",
  ].join("\n");
}

/** Where the GraphQL IDE is, and what to paste into its Headers and Variables editors. */
function ideLines(url: string, demo: DemoCredentials): string[] {
  const { ideInvitationId, ideUserUuid } = demo.examples;
  return [
    `Or open the GraphQL IDE in a browser: ${url}/graphql`,
    `  Headers:   ${JSON.stringify({ Authorization: `Bearer ${demo.apiKey}` })}`,
    `  Variables: ${JSON.stringify({ invitationId: String(ideInvitationId) })} (ResendByInvitationId tab)`,
    `         or ${JSON.stringify({ userId: ideUserUuid })} (ResendByUserId tab)`,
    "",
  ];
}

/** The key of the first start is stored only as a hash: say how to issue another for the demo admin. */
function laterStartBanner({ tenant, admin }: DemoTenant): string {
  return [
    "",
    `Demo data already loaded for tenant "${tenant.name}" (id ${tenant.id}); its admin API key was shown on the first start only.`,
    `Issue a new key for the demo admin (${admin.email}, id ${admin.id}); its JSON answer holds it as "apiKey":`,
    `npm run --silent cli -- apikey create --user ${admin.id} --name demo`,
    "",
  ].join("\n");
}
