import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { MACRO_HELP } from './macros';

/** The macros of SPEC section 4 with what each renders to, folded under the form. */
export function MacrosHelp() {
  const { t } = useTranslation();
  return (
    <details className="macros" data-testid="macros-help">
      <summary>{t('destinations.macros.title')}</summary>
      <p className="hint">{t('destinations.macros.intro')}</p>
      <dl className="facts">
        {MACRO_HELP.map(({ written, descriptionKey }) => (
          <Fragment key={written}>
            <dt>
              <code>{written}</code>
            </dt>
            <dd>{t(descriptionKey)}</dd>
          </Fragment>
        ))}
      </dl>
    </details>
  );
}
