import { useTranslation } from 'react-i18next';

/** A delivery's (or an attempt's) state: pending, retrying, delivered or failed (SPEC section 4). */
export function DeliveryStatusChip({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`chip chip-${status}`} data-testid="delivery-status">
      {t(`deliveries.status.${status}`, { defaultValue: status })}
    </span>
  );
}
