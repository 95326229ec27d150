import { ReadinessFailure, ReadinessRegistry, readinessReason } from './readiness.registry';

describe('readiness reasons (SPEC section 4: a short reason, never a raw error)', () => {
  it('names what failed without the driver message', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(readinessReason(refused)).toBe('unreachable');
    const auth = Object.assign(new Error('password authentication failed for user "admin"'), {
      code: '28P01',
    });
    expect(readinessReason(auth)).toBe('authentication failed');
    expect(readinessReason(new Error('timed out'))).toBe('timed out');
    expect(readinessReason(new ReadinessFailure('consumer stopped'))).toBe('consumer stopped');
    expect(readinessReason(new Error('relation "secret_table" does not exist'))).toBe('failing');
    expect(readinessReason('weird')).toBe('failing');
  });

  it('answers every check with up or a short reason', async () => {
    {
      const registry = new ReadinessRegistry();
      registry.register('postgres:app', () =>
        Promise.reject(
          Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432 user=admin'), {
            code: 'ECONNREFUSED',
          }),
        ),
      );
      registry.register('kafka', () => Promise.resolve());
      expect(await registry.run()).toEqual({
        'postgres:app': 'down: unreachable',
        kafka: 'up',
      });
    }
  });
});
