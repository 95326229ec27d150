import type { FunnelRow } from '../../api/types';

/** A CSV cell: quoted when needed; a leading `=+-@` is prefixed so spreadsheets never run it. */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function amounts(value: Record<string, string> | undefined): string {
  return Object.entries(value ?? {})
    .map(([currency, amount]) => `${amount} ${currency}`)
    .join('; ');
}

/** The funnel table as CSV, one line per row, amounts per currency never converted. */
export function funnelCsv(rows: FunnelRow[]): string {
  const header = [
    'key',
    'clicks',
    'registrations',
    'emailConfirmations',
    'firstDeposits',
    'redeposits',
    'uniqueRedepositors',
    'withdrawals',
    'depositAmount',
    'reversals',
    'reversedAmount',
    'netDepositAmount',
    'commissionAmount',
    'click2reg',
    'reg2fd',
    'fd2rd',
  ];
  const lines = rows.map((row) =>
    [
      row.other ? 'other' : row.key,
      row.clicks,
      row.registrations,
      row.emailConfirmations,
      row.firstDeposits,
      row.redeposits,
      row.uniqueRedepositors,
      row.withdrawals,
      amounts(row.depositAmount),
      row.reversals ?? 0,
      amounts(row.reversedAmount),
      amounts(row.netDepositAmount ?? row.depositAmount),
      amounts(row.commissionAmount),
      row.click2reg,
      row.reg2fd,
      row.fd2rd,
    ]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\r\n') + '\r\n';
}
