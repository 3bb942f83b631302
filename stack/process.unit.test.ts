import { describe, expect, it } from 'vitest';
import { failureCause } from './process.ts';

describe('failureCause', () => {
  // Regression: a failed initdb showed its harmless notices ("The files belonging to this database
  // system will be owned by ...") instead of the cause.
  it('names the error line, not the notices printed around it', () => {
    const stdout = [
      'The files belonging to this database system will be owned by user "postgres".',
      'This user must also own the server process.',
      'The database cluster will be initialized with locale "C".',
      'fixing permissions on existing directory ... ok',
    ].join('\n');
    const stderr = 'initdb: error: could not access directory "/root/x/.stack/postgres/data": Permission denied\n';
    expect(failureCause(stderr, stdout)).toBe('initdb: error: could not access directory "/root/x/.stack/postgres/data": Permission denied');
  });

  it('falls back to the last lines of stderr, then of stdout', () => {
    expect(failureCause('one\ntwo\nthree\nfour\n', 'out')).toBe('two | three | four');
    expect(failureCause('', 'a\nb')).toBe('a | b');
  });
});
