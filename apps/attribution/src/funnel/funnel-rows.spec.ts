import { cutCampaigns, orderFunnelRows } from './funnel-rows';

describe('funnel rows (SPEC section 4, Funnel)', () => {
  describe('cutCampaigns', () => {
    it('given no more campaigns than the limit, when cut, then every campaign keeps its row', () => {
      expect(
        cutCampaigns(
          [
            { key: 'a', clicks: 3 },
            { key: null, clicks: 1 },
          ],
          2,
        ),
      ).toBeNull();
    });

    it('given one more campaign than the limit, when cut, then the top ones are kept', () => {
      expect(
        cutCampaigns(
          [
            { key: 'a', clicks: 3 },
            { key: null, clicks: 2 },
            { key: 'b', clicks: 1 },
          ],
          2,
        ),
      ).toEqual({ keys: ['a'], keepsNoCampaign: true });
    });

    it('given the no-campaign group below the cut, when cut, then it goes to the other row', () => {
      expect(
        cutCampaigns(
          [
            { key: 'a', clicks: 3 },
            { key: 'b', clicks: 2 },
            { key: null, clicks: 1 },
          ],
          2,
        ),
      ).toEqual({ keys: ['a', 'b'], keepsNoCampaign: false });
    });
  });

  describe('orderFunnelRows', () => {
    const rows = [
      { key: 'b', clicks: 1 },
      { key: null, clicks: 1, other: true },
      { key: null, clicks: 5 },
      { key: 'a', clicks: 1 },
      { key: 'c', clicks: 9 },
    ];

    it('given campaign rows, when ordered, then most clicks first, ties by key, other last', () => {
      expect(orderFunnelRows(rows, true).map((row) => [row.key, row.clicks])).toEqual([
        ['c', 9],
        [null, 5],
        ['a', 1],
        ['b', 1],
        [null, 1],
      ]);
    });

    it('given day or integration rows, when ordered, then by key with null last', () => {
      expect(orderFunnelRows(rows, false).map((row) => row.key)).toEqual([
        'a',
        'b',
        'c',
        null,
        null,
      ]);
    });
  });
});
