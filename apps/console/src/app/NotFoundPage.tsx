import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

/** An address the console has no page for (the tracker answers it with 404 and this page). */
export default function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>{t('errors.pageNotFound')}</h1>
      <p data-testid="not-found">{t('errors.pageNotFoundText')}</p>
      <Link to="/" data-testid="not-found-home">
        {t('errors.home')}
      </Link>
    </section>
  );
}
