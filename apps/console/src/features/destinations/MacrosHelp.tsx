import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { KEYED_MACROS, SIMPLE_MACROS } from './macros';

/** The macros of SPEC section 4 with what each renders to, folded under the form. */
export function MacrosHelp() {
  const { t } = useTranslation();
  return (
    <details className="macros" data-testid="macros-help">
      <summary>{t('destinations.macros.title')}</summary>
      <p className="hint">{t('destinations.macros.intro')}</p>
      <dl className="facts">
        {[...SIMPLE_MACROS, ...KEYED_MACROS].map((macro) => (
          <Fragment key={macro}>
            <dt>
              <code>{`{${macro}}`}</code>
            </dt>
            <dd>{t(`destinations.macros.list.${macro.split('.')[0]}`)}</dd>
          </Fragment>
        ))}
      </dl>
    </details>
  );
}
