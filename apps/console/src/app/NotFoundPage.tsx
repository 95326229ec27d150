import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

export default function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <section>
      <h1>404</h1>
      <p data-testid="not-found">{t('errors.notFound')}</p>
      <Link to="/">{t('nav.start')}</Link>
    </section>
  );
}
