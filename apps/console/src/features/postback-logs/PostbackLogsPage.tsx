import { useTranslation } from 'react-i18next';
import { POSTBACK_STATUSES } from '../../api/queries';
import type { PostbackLogItem } from '../../api/types';
import { KeysetListPage, SelectFilter, TextFilter, useKeysetList } from '../../shared/keyset-list';
import { IntegrationFilter } from '../../shared/integration-filter';
import { LogTable } from './LogTable';
import { PostbackDrawer } from './PostbackDrawer';

/** Filters kept in the URL (with the period), so a filtered log is a link to share. */
export const LOG_FILTERS = ['integrationId', 'event', 'status', 'clickId', 'q'] as const;
/** New postbacks show without a reload: the page asks again this often. */
export const LOG_POLL_MS = 2000;

/** Received postbacks, newest first (`GET /api/postback-logs`), each in full in the drawer. */
export default function PostbackLogsPage() {
  const { t } = useTranslation();
  const list = useKeysetList<PostbackLogItem, (typeof LOG_FILTERS)[number]>({
    queryKey: ['postback-logs'],
    path: '/api/postback-logs',
    filters: LOG_FILTERS,
    pageSize: 50,
    pollMs: LOG_POLL_MS,
  });
  return (
    <KeysetListPage
      list={list}
      title={t('logs.title')}
      filters={
        <>
          <IntegrationFilter list={list} name="integrationId" />
          <TextFilter list={list} name="event" label={t('logs.cols.event')} />
          <SelectFilter
            list={list}
            name="status"
            label={t('logs.cols.status')}
            options={POSTBACK_STATUSES.map((s) => [s, t(`status.${s}`)] as const)}
            testId="status-filter"
          />
          <TextFilter list={list} name="clickId" label={t('logs.cols.clickId')} />
          <TextFilter
            list={list}
            name="q"
            label={t('logs.search')}
            type="search"
            placeholder={t('logs.searchHint')}
          />
        </>
      }
      live={t('logs.live', { seconds: LOG_POLL_MS / 1000 })}
      empty={list.filtered ? t('logs.emptyFiltered') : t('logs.empty')}
      drawer={(id, close) => <PostbackDrawer id={id} onClose={close} />}
    >
      <LogTable items={list.items} openId={list.open} onOpen={list.openItem} />
    </KeysetListPage>
  );
}
