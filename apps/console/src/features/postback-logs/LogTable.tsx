import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
} from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { PostbackLogItem } from '../../api/types';
import { usePreferences } from '../../shared/preferences';
import { formatDelay, Time } from '../../shared/time';
import { StatusChip, TableWrap } from '../../shared/ui';
import { LongText } from '../../shared/long-text';

const column = createColumnHelper<PostbackLogItem>();

/** The log's rows (TanStack Table, headless: the markup stays plain, every value as text). */
export function LogTable({
  items,
  openId,
  onOpen,
}: {
  items: PostbackLogItem[];
  openId: string | null;
  onOpen: (id: string) => void;
}) {
  const { t } = useTranslation();
  const { language } = usePreferences();
  const columns = useMemo(
    () => [
      column.accessor('receivedAt', {
        header: t('logs.cols.time'),
        cell: (c) => <Time value={c.getValue()} />,
      }),
      column.accessor((item) => item.integrationName ?? item.integrationId, {
        id: 'integration',
        header: t('logs.cols.integration'),
        cell: (c) => <LongText value={c.getValue()} expandable={false} />,
      }),
      column.accessor((item) => item.event ?? '—', {
        id: 'event',
        header: t('logs.cols.event'),
        cell: (c) => <LongText value={c.getValue()} expandable={false} />,
      }),
      // A partner may send a click id of any length: one line here, in full in the drawer.
      column.accessor((item) => item.clickId ?? '—', {
        id: 'clickId',
        header: t('logs.cols.clickId'),
        meta: { className: 'mono' },
        cell: (c) => <LongText value={c.getValue()} expandable={false} />,
      }),
      column.accessor('status', {
        header: t('logs.cols.status'),
        cell: (c) => <StatusChip status={c.getValue()} />,
      }),
      column.accessor('errorCode', {
        header: t('logs.cols.error'),
        // The API's short code translated; its English text on hover.
        cell: (c) =>
          c.getValue() ? (
            <span title={c.row.original.error ?? undefined}>
              {t(`errorCode.${c.getValue()}`, { defaultValue: c.getValue() })}
            </span>
          ) : (
            <span className="muted">—</span>
          ),
      }),
      column.accessor(
        (item) =>
          item.conversion?.amount
            ? `${item.conversion.amount} ${item.conversion.currency ?? ''}`.trim()
            : '—',
        { id: 'amount', header: t('logs.cols.amount') },
      ),
      column.accessor((item) => item.remoteAddress ?? '—', { id: 'ip', header: t('logs.cols.ip') }),
      column.accessor(
        (item) => (item.clickedAt ? formatDelay(item.clickedAt, item.receivedAt, language) : '—'),
        {
          id: 'delay',
          header: t('logs.cols.delay'),
        },
      ),
      column.display({
        id: 'details',
        header: () => <span className="sr-only">{t('logs.details')}</span>,
        cell: (c) => (
          <button
            type="button"
            onClick={() => onOpen(c.row.original.id)}
            aria-label={`${t('logs.details')}: ${c.row.original.event ?? ''} ${c.row.original.clickId ?? ''}`}
          >
            {t('logs.details')}
          </button>
        ),
      }),
    ],
    [t, language, onOpen],
  );
  // The console does not use the React Compiler: nothing memoizes the table's functions.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: items,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: (item) => item.id,
  });
  return (
    <TableWrap label={t('logs.title')}>
      <table className="log" data-testid="log-table">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr
              key={row.id}
              data-testid="log-row"
              data-status={row.original.status}
              data-event={row.original.event ?? ''}
              className={row.id === openId ? 'selected' : undefined}
            >
              {row.getVisibleCells().map((cell) => (
                <td
                  key={cell.id}
                  className={
                    (cell.column.columnDef.meta as { className?: string } | undefined)?.className
                  }
                >
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}
