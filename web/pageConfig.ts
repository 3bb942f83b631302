/** Settings the server writes into each page (`<script id="orderflow-config" type="application/json">`). */
export interface PageConfig {
  /** The GraphQL path on this origin, e.g. `/graphql`. */
  graphqlPath: string;
  /** A bearer token to pre-fill (dev auth mode only). */
  devToken?: string;
}

/** Reads the page's config block; throws when the server did not write one. */
export function readPageConfig(): PageConfig {
  const el = document.getElementById('orderflow-config');
  if (!el?.textContent) throw new Error('page config missing');
  return JSON.parse(el.textContent) as PageConfig;
}

/** `http(s)://host/graphql` for this page's origin. */
export function graphqlUrl(config: PageConfig): string {
  return new URL(config.graphqlPath, location.href).href;
}
