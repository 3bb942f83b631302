import { describe, expect, it } from 'vitest';
import { pageHtml } from './webPages.ts';

describe('pageHtml', () => {
  it('loads only same-origin assets and cannot be broken out of by its settings', () => {
    const html = pageHtml('store', { graphqlPath: '/graphql', devToken: '</script><script>alert(1)</script>' });
    expect(html).toContain('<script type="module" src="/assets/store.js">');
    expect(html).toContain('<link rel="stylesheet" href="/assets/store.css" />');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toMatch(/https?:\/\//);
  });
});
