/* global React, ReactDOM, GraphiQL, document */
// Starts GraphiQL from the UMD globals the page loads first (React, ReactDOM, GraphiQL: no bundler, no CDN).
// Its settings are in the page's JSON block, so this file stays static and cacheable.
const config = JSON.parse(document.getElementById("graphql-ide-config").textContent);

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher: GraphiQL.createFetcher({ url: config.endpoint }),
    defaultTabs: config.tabs,
    defaultHeaders: config.headers,
    isHeadersEditorEnabled: true,
    // The API key stays out of localStorage: it is pasted again after a reload.
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: "headers",
  }),
);
