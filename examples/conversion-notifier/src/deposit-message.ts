import type { ConversionRecordedEvent } from '@tracker/contracts';

/**
 * The bot's line for a conversion, e.g. `deposit #2 of click Xk3p9QmZ2rTa: 50.00 USD`, or
 * null for stages it does not announce (and for stages added after it was written: a
 * subscriber ignores what it does not know, SPEC section 3).
 */
export function depositMessage(conversion: ConversionRecordedEvent): string | null {
  const { stage, ordinal, clickId, amount, currency } = conversion.payload;
  if (stage !== 'first_deposit' && stage !== 'redeposit') return null;
  const money = amount === null ? '' : `: ${amount}${currency ? ` ${currency}` : ''}`;
  return `deposit #${ordinal} of click ${clickId}${money}`;
}
