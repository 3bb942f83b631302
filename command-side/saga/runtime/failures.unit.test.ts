import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../contracts/errors.ts';
import { StopRequested } from '../../../messaging/retry.ts';
import { DomainError } from '../../domain/errors.ts';
import { ConcurrencyError } from '../../handlers/errors.ts';
import { GatewayUnavailableError } from '../../payments/gateway.ts';
import { SagaContextError } from '../context.ts';
import { classifySagaFailure, GatewayRefusedError, isConflict } from './failures.ts';

describe('saga failure classification', () => {
  it('waits out dependencies: gateway down or circuit open, lost races, database and network trouble', () => {
    expect(classifySagaFailure(new GatewayUnavailableError('down'))).toBe('transient');
    expect(classifySagaFailure(new GatewayUnavailableError('open', { code: 'CIRCUIT_OPEN' }))).toBe('transient');
    expect(classifySagaFailure(new ConcurrencyError('order-1', 1, 2))).toBe('transient');
    expect(classifySagaFailure(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe('transient');
    expect(classifySagaFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifySagaFailure(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(classifySagaFailure(new StopRequested())).toBe('transient');
  });

  it('gives up on rules and refusals at once, and on the unknown after a few tries', () => {
    expect(classifySagaFailure(new DomainError('CONFLICT', 'moved on'))).toBe('permanent');
    expect(classifySagaFailure(new GatewayRefusedError('o1', 'capture', 'already_voided'))).toBe('permanent');
    expect(classifySagaFailure(new ContractError('INVALID_ENVELOPE', 'bad'))).toBe('permanent');
    expect(classifySagaFailure(new SagaContextError('other order', false))).toBe('permanent');
    expect(classifySagaFailure(new SagaContextError('order not found yet', true))).toBe('limited');
    expect(classifySagaFailure(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe('limited');
    expect(classifySagaFailure(new TypeError('x is undefined'))).toBe('limited');
  });

  it('recognises conflicts (reload and react again)', () => {
    expect(isConflict(new DomainError('CONFLICT', 'x'))).toBe(true);
    expect(isConflict(new DomainError('NOT_FOUND', 'x'))).toBe(false);
  });
});
