/** Three buttons, each language named in its own script, one tap to switch. */
import type { Language } from '../api/types';
import { LANGUAGES, t } from '../i18n';
import { chooseLanguage } from './session';

export function LanguagePicker({ current }: { current: Language }) {
  return (
    <div class="language-picker" role="group" aria-labelledby="language-picker-label">
      <span class="language-picker-label" id="language-picker-label">
        {t('language')}
      </span>
      <div class="language-options">
        {LANGUAGES.map((lang) => (
          <button
            key={lang}
            type="button"
            class="button button-secondary"
            lang={lang}
            data-language={lang}
            aria-pressed={lang === current ? 'true' : 'false'}
            onClick={() => void chooseLanguage(lang)}
          >
            {t(`lang_${lang}`)}
          </button>
        ))}
      </div>
    </div>
  );
}
