import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { childLogger, createLogger } from './logger.ts';
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
