import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { AppConfig } from '../../platform/index.ts';

const GRAPHIQL = 'https://unpkg.com/graphiql@3.8.3';
const REACT = 'https://unpkg.com/react@18.3.1/umd/react.production.min.js';
const REACT_DOM = 'https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js';
const GRAPHQL_WS = 'https://unpkg.com/graphql-ws@5.16.2/umd/graphql-ws.min.js';

/**
 * The GraphiQL page: queries over HTTP, subscriptions over graphql-ws on the same path, the
 * `Authorization` header of GraphiQL's header editor sent as `connectionParams.authorization`.
 */
export function graphiqlHtml(options: { path: string; defaultHeaders?: Record<string, string> }): string {
  const defaultHeaders = JSON.stringify(JSON.stringify(options.defaultHeaders ?? {}, null, 2));
  const defaultQuery = JSON.stringify('# orderflow GraphQL API\n{\n  health {\n    status\n    version\n  }\n}\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>orderflow · GraphiQL</title>
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
  <link rel="stylesheet" href="${GRAPHIQL}/graphiql.min.css" crossorigin="anonymous" />
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${REACT}" crossorigin="anonymous"></script>
  <script src="${REACT_DOM}" crossorigin="anonymous"></script>
  <script src="${GRAPHQL_WS}" crossorigin="anonymous"></script>
  <script src="${GRAPHIQL}/graphiql.min.js" crossorigin="anonymous"></script>
  <script>
    const path = ${JSON.stringify(options.path)};
    const url = location.origin + path;
    const subscriptionUrl = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + path;
    const savedHeaders = () => {
      try { return JSON.parse(localStorage.getItem('graphiql:headers') || ${defaultHeaders}) || {}; } catch { return {}; }
    };
    const wsClient = graphqlWs.createClient({
      url: subscriptionUrl,
      lazy: true,
      connectionParams: () => {
        const h = savedHeaders();
        return { authorization: h.Authorization || h.authorization || '' };
      },
    });
    const fetcher = GraphiQL.createFetcher({ url, wsClient });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultQuery: ${defaultQuery},
        defaultHeaders: ${defaultHeaders},
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: 'headers',
      }),
    );
  </script>
</body>
</html>
`;
}

/**
 * GraphiQL as Apollo's landing page outside production (GET with `Accept: text/html`); in
 * production, no landing page at all.
 */
export function landingPagePlugin(config: Pick<AppConfig, 'env'>, path: string): ApolloServerPlugin {
  if (config.env === 'production') return ApolloServerPluginLandingPageDisabled();
  // No pre-filled token: a page that hands every visitor an operator credential teaches the wrong
  // habit and, on a reachable server, gives it away. The README shows the dev token format.
  const html = graphiqlHtml({ path });
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html };
        },
      };
    },
  };
}
