import { describe, expect, it } from 'vitest';
import { createKeyedLock } from './keyedLock.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('createKeyedLock', () => {
  it('runs calls with one key one at a time, in order, and other keys beside them', async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    const job = (key: string, name: string) => lock(key, async () => {
      inside++;
      most = Math.max(most, inside);
      log.push(`${name}+`);
      await tick();
      log.push(`${name}-`);
      inside--;
      return name;
    });
    const results = await Promise.all([job('a', 'a1'), job('a', 'a2'), job('a', 'a3')]);
    expect(results).toEqual(['a1', 'a2', 'a3']);
    expect(log).toEqual(['a1+', 'a1-', 'a2+', 'a2-', 'a3+', 'a3-']);
    expect(most).toBe(1);
    inside = 0;
    most = 0;
    await Promise.all([job('x', 'x'), job('y', 'y')]);
    expect(most).toBe(2);
  });

  it('a failed call releases the key and keeps its error', async () => {
    const lock = createKeyedLock();
    await expect(lock('k', async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(lock('k', async () => 7)).resolves.toBe(7);
  });
});
