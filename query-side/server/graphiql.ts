import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { AppConfig } from '../../platform/index.ts';
import { pageHtml } from './webPages.ts';

/**
 * The GraphiQL page: GraphiQL and React from node_modules, bundled by the server (`/assets/graphiql.*`,
 * see webBundles.ts), so it needs no CDN and works offline. Queries go over HTTP, subscriptions over
 * graphql-ws on the same path, with the `Authorization` header of GraphiQL's header editor sent as
 * `connectionParams.authorization`.
 */
export function graphiqlHtml(options: { path: string; defaultHeaders?: Record<string, string> }): string {
  const bearer = options.defaultHeaders?.['Authorization']?.replace(/^Bearer /, '');
  return pageHtml('graphiql', { graphqlPath: options.path, ...(bearer && { devToken: bearer }) });
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
