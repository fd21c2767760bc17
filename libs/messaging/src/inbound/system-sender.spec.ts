import { systemSenderFor } from './number-pool.service';

describe('systemSenderFor', () => {
  const pool = ['+12015550100', '+12015550101', '+12015550102', '+12015550103'];

  it('gives one recipient the same number every time', () => {
    const first = systemSenderFor('+14155550123', pool);
    expect(pool).toContain(first);
    for (let i = 0; i < 5; i++) expect(systemSenderFor('+14155550123', pool)).toBe(first);
  });

  it('spreads many recipients over the whole pool', () => {
    const uses = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const sender = systemSenderFor(`+1415555${String(i).padStart(4, '0')}`, pool);
      uses.set(sender, (uses.get(sender) ?? 0) + 1);
    }
    expect([...uses.keys()].sort()).toEqual(pool);
    // Even within a few percent: no number carries a burst of sign-ups alone.
    for (const count of uses.values()) expect(Math.abs(count - 1000)).toBeLessThan(120);
  });

  it('uses the only number of a pool of one', () => {
    expect(systemSenderFor('+14155550123', ['+12015550100'])).toBe('+12015550100');
  });
});
