import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.js";
import { KEYS } from "../support/harness.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** Debian's chromium package: `npx playwright install` cannot download a browser here (see STACK.md). */
const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOT = join(projectRoot, "test-output", "graphql-ide.png");

describe("the GraphQL IDE in headless Chromium", () => {
  let server: TestServer;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const browserErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: run "apt-get install -y chromium" (.ci/run installs it)`);
    }
    server = await startTestServer();
    profile = mkdtempSync(join(tmpdir(), "invitation-api-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
      viewport: { width: 1600, height: 1000 },
    });
    // Every request of every page and worker, including any a blocked script might attempt.
    browser.on("request", (request) => requested.push(request.url()));
    page = browser.pages()[0] ?? (await browser.newPage());
    // CSP refusals are reported as console errors: they count as attempts to leave the server.
    page.on("console", (message) => {
      if (message.type() === "error") browserErrors.push(message.text());
    });
    page.on("pageerror", (error) => browserErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("resends an invitation with a pasted API key, loading nothing from outside the server", async () => {
    await page.goto(`${server.url}/graphql`);
    // GraphiQL names each preloaded tab after its operation.
    await page.getByText("ResendByInvitationId").first().waitFor();
    await page.getByText("ResendByUserId").first().waitFor();

    await pasteInto(page, "Variables", JSON.stringify({ invitationId: "9001" }));
    await pasteInto(page, "Headers", JSON.stringify({ Authorization: `Bearer ${KEYS.acmeAdmin}` }));
    await page.locator(".graphiql-execute-button").click();

    const result = page.locator(".result-window");
    await result.getByText("bob@acme.test").first().waitFor();
    const shown = await result.innerText();
    expect(shown).toContain('"__typename": "ResendInvitationSuccess"');
    expect(shown).toContain('"sentTo": "bob@acme.test"');

    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    await page.locator(".graphiql-doc-explorer").getByText("Mutation", { exact: true }).click();
    await page.locator(".graphiql-doc-explorer").getByText("resendInvitation").first().waitFor();

    mkdirSync(join(projectRoot, "test-output"), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    expect(requested.length).toBeGreaterThan(0);
    const outside = requested.filter((url) => new URL(url).origin !== server.url);
    expect(outside).toEqual([]);
    expect(browserErrors).toEqual([]);
  });
});

/** Opens an editor of the tools pane and replaces its text, as a paste does (no bracket auto-closing). */
async function pasteInto(page: Page, editor: "Headers" | "Variables", text: string): Promise<void> {
  await page.getByRole("button", { name: editor, exact: true }).click();
  const field = page.locator(`.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror`);
  await field.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(text);
  await field.getByText(text).waitFor();
}
