/** Minimal GraphQL-over-HTTP client for tests: returns status, headers and parsed body. */
export async function postGraphQL(
  url: string,
  body: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: unknown[] };
}> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json", ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

export const RESEND_MUTATION = /* GraphQL */ `
  mutation Resend($input: ResendInvitationInput!) {
    resendInvitation(input: $input) {
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
          invitee {
            id
            uuid
            email
            name
          }
          inviter {
            id
            name
          }
        }
      }
      ... on UserError {
        code
        message
      }
      ... on PermissionDenied {
        notices
      }
      ... on InvalidInput {
        fieldErrors {
          path
          message
        }
      }
      ... on InvitationNotPending {
        status
      }
      ... on ResendRateLimited {
        retryAfterSeconds
      }
    }
  }
`;
