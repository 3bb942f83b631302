import 'graphiql/graphiql.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { graphqlUrl, readPageConfig } from '../pageConfig.ts';

// GraphiQL from the npm package, bundled by the server with esbuild: nothing is loaded from a CDN,
// so the page works offline. Subscriptions go over graphql-ws on the same path, authenticated with
// the Authorization header from GraphiQL's header editor.
const config = readPageConfig();
const url = graphqlUrl(config);
const defaultHeaders = JSON.stringify(config.devToken ? { Authorization: `Bearer ${config.devToken}` } : {}, null, 2);

function savedAuthorization(): string {
  try {
    const headers = JSON.parse(localStorage.getItem('graphiql:headers') ?? defaultHeaders) as Record<string, unknown>;
    const value = headers['Authorization'] ?? headers['authorization'];
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

const fetcher = createGraphiQLFetcher({
  url,
  subscriptionUrl: url.replace(/^http/, 'ws'),
  wsConnectionParams: { get authorization() { return savedAuthorization(); } },
});

const root = document.getElementById('graphiql');
if (root) {
  createRoot(root).render(
    createElement(GraphiQL, {
      fetcher,
      defaultQuery: '# orderflow GraphQL API\n{\n  health {\n    status\n    version\n  }\n}\n',
      defaultHeaders,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: 'headers',
    }),
  );
}
