import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { childLogger, createLogger, lazyLogger } from './logger.ts';
import { contextFromTraceparent } from './telemetry.ts';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes JSON with a string level and censors secrets at any depth', () => {
    const out = capture();
    const logger = createLogger({ logLevel: 'info', env: 'test' }, out.stream);
    logger.info({ paymentToken: 'tok_1', req: { headers: { authorization: 'Bearer x' } }, user: { password: 'p' }, keep: 'me' }, 'hello');
    const [line] = out.lines();
    expect(line).toMatchObject({ level: 'info', msg: 'hello', service: 'orderflow', env: 'test', keep: 'me', paymentToken: '[redacted]' });
    expect(line?.['req']).toEqual({ headers: { authorization: '[redacted]' } });
    expect(line?.['user']).toEqual({ password: '[redacted]' });
    expect(JSON.stringify(line)).not.toMatch(/tok_1|Bearer x/);
  });

  it('child loggers carry correlationId and the active traceId', () => {
    const out = capture();
    const logger = createLogger({ logLevel: 'info', env: 'test' }, out.stream);
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    context.with(contextFromTraceparent(tp), () => {
      expect(trace.getActiveSpan()).toBeDefined();
      childLogger(logger, { correlationId: 'c-1' }).info('inside');
    });
    childLogger(logger, { correlationId: 'c-2' }).info('outside');
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({ correlationId: 'c-1', traceId: '0af7651916cd43dd8448eb211c80319c' });
    expect(outside).toMatchObject({ correlationId: 'c-2' });
    expect(outside).not.toHaveProperty('traceId');
  });
});

describe('lazyLogger', () => {
  it('builds the logger on first use only, once, and logs through it; copying the holder builds nothing', () => {
    const out = capture();
    const base = createLogger({ logLevel: 'info', env: 'test' }, out.stream);
    let made = 0;
    const logger = lazyLogger(() => {
      made++;
      return childLogger(base, { correlationId: 'c-1', subject: 's' });
    });
    const holder = Object.assign({}, { logger }); // what Apollo does to the context
    expect(made).toBe(0);
    holder.logger.info({ authorization: 'Bearer x' }, 'one');
    logger.warn('two');
    expect(made).toBe(1);
    expect(logger.level).toBe('info');
    expect(out.lines()).toMatchObject([
      { level: 'info', msg: 'one', correlationId: 'c-1', subject: 's', authorization: '[redacted]' },
      { level: 'warn', msg: 'two', correlationId: 'c-1' },
    ]);
  });
});
