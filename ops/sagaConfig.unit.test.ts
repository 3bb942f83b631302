import { describe, expect, it } from 'vitest';
import { ConfigError } from '../platform/config.ts';
import { loadNotifyConfig } from './notifyConfig.ts';
import { loadSagaConfig } from './sagaConfig.ts';

describe('saga and notify role settings', () => {
  it('have working defaults', () => {
    expect(loadSagaConfig('development', {})).toEqual({
      timeoutMs: 30_000, sweepIntervalMs: 1000, sessionTimeoutMs: 10_000, gatewayTimeoutMs: 2000,
      breakerThreshold: 5, breakerHalfOpenMs: 10_000, gateway: 'sandbox', sandboxLatencyMs: 0, inFlightPerPartition: 16, consumers: 1,
    });
    const notify = loadNotifyConfig('development', {});
    expect(notify).toMatchObject({ smtp: { host: '127.0.0.1', port: 2525, secure: false }, from: 'orders@orderflow.local', sink: true, sessionTimeoutMs: 10_000 });
    expect(notify.smtp.auth).toBeUndefined();
    expect(notify.sinkDir).toMatch(/\.stack[/\\]mail$/);
    expect(loadNotifyConfig('production', { SMTP_HOST: 'mail.example.com' }).sink).toBe(false);
  });

  it('reads the environment', () => {
    expect(loadSagaConfig('development', { SAGA_TIMEOUT_MS: '5000', PAYMENT_GATEWAY_TIMEOUT_MS: '750', PAYMENT_GATEWAY: 'sandbox-memory', SAGA_TIMEOUT_MS_UNUSED: 'x' })).toMatchObject({
      timeoutMs: 5000, gatewayTimeoutMs: 750, gateway: 'sandbox-memory',
    });
    expect(loadSagaConfig('development', { SAGA_IN_FLIGHT_PER_PARTITION: '1' }).inFlightPerPartition).toBe(1);
    expect(() => loadSagaConfig('test', { SAGA_IN_FLIGHT_PER_PARTITION: '0' })).toThrow(/^invalid SAGA_IN_FLIGHT_PER_PARTITION: /);
    expect(loadNotifyConfig('production', { SMTP_HOST: 'mail.example.com', SMTP_PORT: '465', SMTP_SECURE: 'true', SMTP_USER: 'u', SMTP_PASSWORD: 'p' })).toMatchObject({
      smtp: { host: 'mail.example.com', port: 465, secure: true, auth: { user: 'u', pass: 'p' } }, sink: false,
    });
    expect(loadNotifyConfig('test', { ORDERFLOW_SMTP_SINK: 'on' }).sink).toBe(true);
    expect(loadNotifyConfig('test', { NOTIFY_SESSION_TIMEOUT_MS: '6000' }).sessionTimeoutMs).toBe(6000);
    expect(() => loadNotifyConfig('test', { NOTIFY_SESSION_TIMEOUT_MS: '0' })).toThrow(/^invalid NOTIFY_SESSION_TIMEOUT_MS: /);
  });

  it('production refuses the sandbox gateways, the local mail sink and the sink default host', () => {
    expect(() => loadSagaConfig('production', {})).toThrow(/^invalid PAYMENT_GATEWAY: the sandbox gateway is refused in production/);
    expect(() => loadSagaConfig('production', { PAYMENT_GATEWAY: 'sandbox-memory' })).toThrow(ConfigError);
    expect(loadSagaConfig('production', { ORDERFLOW_ALLOW_SANDBOX_PAYMENTS: 'yes' }).gateway).toBe('sandbox');
    expect(() => loadNotifyConfig('production', { SMTP_HOST: 'mail.example.com', ORDERFLOW_SMTP_SINK: 'on' })).toThrow(/^invalid ORDERFLOW_SMTP_SINK: /);
    expect(() => loadNotifyConfig('production', {})).toThrow(/^invalid SMTP_HOST: required in production/);
  });

  it('names the bad variable in one line, never echoing the SMTP password', () => {
    expect(() => loadSagaConfig('test', { SAGA_TIMEOUT_MS: 'soon' })).toThrow(/^invalid SAGA_TIMEOUT_MS: expected a positive number of milliseconds \(got "soon"\)$/);
    expect(() => loadSagaConfig('test', { PAYMENT_GATEWAY: 'stripe' })).toThrow(ConfigError);
    expect(() => loadNotifyConfig('test', { SMTP_PORT: '99999' })).toThrow(/SMTP_PORT/);
    try {
      loadNotifyConfig('test', { SMTP_PASSWORD: 'hunter2' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).variable).toBe('SMTP_USER');
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});
