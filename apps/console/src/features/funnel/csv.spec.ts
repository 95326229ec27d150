import { csvCell, funnelCsv } from './csv';

describe('funnel CSV', () => {
  it('quotes cells and defuses spreadsheet formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(null)).toBe('');
  });

  it('writes one line per row with amounts per currency', () => {
    const csv = funnelCsv([
      {
        key: '2026-11-30',
        clicks: 2,
        registrations: 1,
        emailConfirmations: 1,
        firstDeposits: 1,
        redeposits: 0,
        uniqueRedepositors: 0,
        withdrawals: 0,
        depositAmount: { EUR: '5.00', USD: '50.00' },
        commissionAmount: {},
        click2reg: 0.5,
        reg2fd: 1,
        fd2rd: 0,
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe(
      '2026-11-30,2,1,1,1,0,0,0,5.00 EUR; 50.00 USD,0,,5.00 EUR; 50.00 USD,,0.5,1,0',
    );
  });

  it('writes chargebacks: their count, the reversed amount and the net deposits', () => {
    const csv = funnelCsv([
      {
        key: null,
        clicks: 1,
        registrations: 1,
        emailConfirmations: 0,
        firstDeposits: 1,
        redeposits: 1,
        uniqueRedepositors: 1,
        withdrawals: 0,
        depositAmount: { USD: '150' },
        commissionAmount: {},
        reversals: 1,
        reversedAmount: { USD: '50' },
        netDepositAmount: { USD: '100' },
        click2reg: 1,
        reg2fd: 1,
        fd2rd: 1,
      },
    ]);
    expect(csv.split('\r\n')[0]).toContain(
      'depositAmount,reversals,reversedAmount,netDepositAmount',
    );
    expect(csv.split('\r\n')[1]).toBe(',1,1,0,1,1,1,0,150 USD,1,50 USD,100 USD,,1,1,1');
  });
});
