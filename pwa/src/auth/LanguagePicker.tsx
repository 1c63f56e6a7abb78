/**
 * A button per language, each named in its own script, one tap to switch.
 * A language whose translation awaits a native speaker's review says so,
 * in the language shown now, so nobody takes it for checked.
 */
import type { Language } from '../api/types';
import { AWAITING_REVIEW, htmlLang, LANGUAGES, language, t } from '../i18n';
import { useStore } from '../store';
import { chooseLanguage } from './session';

export function LanguagePicker({ current }: { current: Language }) {
  const shown = useStore(language);
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
            lang={htmlLang(lang)}
            data-language={lang}
            aria-pressed={lang === current ? 'true' : 'false'}
            onClick={() => void chooseLanguage(lang)}
          >
            {t(`lang_${lang}`)}
            {AWAITING_REVIEW.includes(lang) && (
              <span class="language-review" lang={htmlLang(shown)}>
                {' '}
                {t('lang_awaiting_review')}
              </span>
            )}
          </button>
        ))}
      </div>
    </div>
  );
}
