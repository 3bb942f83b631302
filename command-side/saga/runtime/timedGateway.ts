import type { Histogram } from 'prom-client';
import type { PaymentGateway } from '../../payments/gateway.ts';

/**
 * The gateway with each call's duration observed by operation, failures included: the provider's
 * share of a reaction (a bench tells it apart from ours; an operator sees a slow provider).
 */
export function timedGateway(gateway: PaymentGateway, seconds: Histogram<'operation'>): PaymentGateway {
  const timed = <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const end = seconds.startTimer({ operation });
    try {
      return await call(...args);
    } finally {
      end();
    }
  };
  return {
    authorise: timed('authorise', (req, opts) => gateway.authorise(req, opts)),
    capture: timed('capture', (req, opts) => gateway.capture(req, opts)),
    void: timed('void', (req, opts) => gateway.void(req, opts)),
    refund: timed('refund', (req, opts) => gateway.refund(req, opts)),
  };
}
