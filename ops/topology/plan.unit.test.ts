import { describe, expect, it } from 'vitest';
import { DEFAULT_SHAPE, parseShape, planTopology } from './plan.ts';

describe('planTopology', () => {
  it('is 2 serve, 2 relay, 3 project, 2 saga, 1 notify, each on its own port, the edge last', () => {
    const specs = planTopology({ servePortBase: 4100, opsPortBase: 9460 });
    const count = (role: string) => specs.filter((s) => s.role === role).length;
    expect([count('serve'), count('relay'), count('project'), count('saga'), count('notify')]).toEqual([2, 2, 3, 2, 1]);
    expect(new Set(specs.map((s) => s.opsPort)).size).toBe(specs.length);
    expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
    expect(specs.slice(-2).map((s) => [s.name, s.env['ORDERFLOW_HTTP_PORT']])).toEqual([['serve-1', '4101'], ['serve-2', '4102']]);
    expect(specs[0]).toMatchObject({ name: 'relay-1', opsPort: 9461, env: { ORDERFLOW_OPS_PORT: '9461' } });
  });

  it('parses a shape, keeping defaults for roles not named, and names a bad part', () => {
    expect(parseShape('serve=2,relay=1,saga=0')).toEqual({ ...DEFAULT_SHAPE, serve: 2, relay: 1, saga: 0 });
    expect(() => parseShape('serve=2,api=3')).toThrow(/"api=3"/);
  });
});
