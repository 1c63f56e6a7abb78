/**
 * The service directory (issue 17) as this phone pulled it for the user's
 * areas: browsable offline, by kind of service and by name, with how to
 * reach each, its languages and accessibility.
 */
import { useState } from 'preact/hooks';
import { useLocal } from '../field/hooks';
import { t } from '../i18n';
import { SelectField } from '../ui/fields';
import { Link } from '../ui/Link';
import { loadServices } from './data';
import { CATEGORIES, findServices } from './model';
import { categoryLabel } from './ReferScreen';

export function DirectoryScreen() {
  const services = useLocal(loadServices);
  const [category, setCategory] = useState('');
  const [text, setText] = useState('');
  if (!services) return <p class="loading">{t('loading')}</p>;
  const shown = findServices(services, category, text);
  return (
    <>
      <h1>{t('directory_title')}</h1>
      <SelectField
        id="dir-category"
        label={t('service_category')}
        value={category}
        placeholder={t('all_categories')}
        options={CATEGORIES.map((c) => ({ value: c, label: categoryLabel(c) }))}
        onChange={setCategory}
      />
      <div class="field">
        <label for="dir-search">{t('directory_search')}</label>
        <input
          id="dir-search"
          type="search"
          value={text}
          autoComplete="off"
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
      {shown.length === 0 && <p class="empty">{t('directory_empty')}</p>}
      <ul class="list" data-testid="directory">
        {shown.map((s) => {
          const contact = s.contact ?? s.organisation_contact;
          return (
            <li key={s.id} class="list-item" data-service-id={s.id}>
              <span class="list-title">
                <bdi>{s.name}</bdi>
              </span>
              <span class="list-meta">
                <bdi>{s.organisation_name}</bdi> · {categoryLabel(s.category)}
              </span>
              {s.languages?.length > 0 && (
                <p class="muted">
                  {t('service_languages')}: <span dir="ltr">{s.languages.join(', ')}</span>
                </p>
              )}
              {s.how_to_reach && (
                <p class="muted">
                  {t('service_how_to_reach')}: <bdi>{s.how_to_reach}</bdi>
                </p>
              )}
              {contact && (
                <p class="muted">
                  {t('service_contact')}: <bdi>{contact}</bdi>
                </p>
              )}
              {s.accessibility && (
                <p class="muted">
                  {t('service_accessibility')}: <bdi>{s.accessibility}</bdi>
                </p>
              )}
            </li>
          );
        })}
      </ul>
      <Link href="/refer" class="button button-wide button-primary-action">
        {t('refer_title')}
      </Link>
    </>
  );
}
