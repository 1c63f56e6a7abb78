/**
 * Printable participant cards for a site (issue 10): each card holds the
 * site's name, the code in large letters and the same code as a QR code,
 * which any phone with a camera can read back ("Add by code"). The words
 * on the card are in the language chosen here (the site's, usually the
 * language of the people it serves), whatever the trainer's own.
 *
 * No name on a card: it is carried by the person and may be seen by
 * anyone; the code is all a site needs to find her (docs/design.md §5).
 *
 * Loaded on demand (a lazy chunk of its own), and the QR encoder (uqr) is
 * loaded only when this screen opens, so the field screens' budget holds.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Language } from '../api/types';
import { htmlLang, LANGUAGES, language, languageLabel, loadCatalogue, t, translate } from '../i18n';
import { displayCode } from '../sync/codes';
import { SelectField } from '../ui/fields';
import { Link } from '../ui/Link';
import './cards.css';
import { loadSites, participantsAt } from './data';
import { useLocal } from './hooks';

type Encode = typeof import('uqr').encode;

/** One SVG path for the dark modules, in module units: crisp at any printed size. */
function QrCode({ text, encode }: { text: string; encode: Encode }) {
  const { data } = encode(text, { ecc: 'M', border: 2 });
  let d = '';
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    });
  });
  return (
    <svg
      class="qr"
      viewBox={`0 0 ${data.length} ${data.length}`}
      role="img"
      aria-label={text}
      shape-rendering="crispEdges"
    >
      <path d={d} />
    </svg>
  );
}

export default function CardsScreen() {
  const sites = useLocal(loadSites);
  const [siteId, setSiteId] = useState('');
  const [lang, setLang] = useState<Language>(language.get());
  // Cards may be printed in another language than the screen's: load its catalogue first.
  const [loadedLang, setLoadedLang] = useState<Language>(language.get());
  useEffect(() => {
    let live = true;
    void loadCatalogue(lang).then(() => live && setLoadedLang(lang));
    return () => {
      live = false;
    };
  }, [lang]);
  const [encode, setEncode] = useState<Encode | null>(null);
  const chosen = siteId || (sites?.length === 1 ? String(sites[0].id) : '');
  const site = sites?.find((s) => String(s.id) === chosen);
  const people = useLocal((db) => (site ? participantsAt(db, site.id) : Promise.resolve([])), [site?.id]);
  useEffect(() => {
    import('uqr').then(
      (qr) => setEncode(() => qr.encode),
      () => undefined,
    );
  }, []);
  const rtl = lang !== 'en';
  return (
    <>
      <div class="no-print">
        <Link href="/" class="back-link">
          {t('nav_home')}
        </Link>
        <h1>{t('cards_title')}</h1>
        <p class="muted">{t('cards_text')}</p>
        {sites && sites.length !== 1 && (
          <SelectField
            id="cards-site"
            label={t('site')}
            value={chosen}
            placeholder={t('choose')}
            options={sites.map((s) => ({ value: String(s.id), label: s.name }))}
            onChange={setSiteId}
          />
        )}
        <SelectField
          id="cards-lang"
          label={t('cards_language')}
          value={lang}
          options={LANGUAGES.map((l) => ({ value: l, label: languageLabel(l) }))}
          onChange={(v) => setLang(v as Language)}
        />
        {site && people && people.length > 0 && (
          <button type="button" class="button button-wide button-primary-action" onClick={() => window.print()}>
            {t('cards_print')}
          </button>
        )}
        {site && people?.length === 0 && <p class="empty">{t('no_children')}</p>}
      </div>
      {/* Drawn once the chosen language is loaded, so a card never prints in the wrong one. */}
      {site && encode && loadedLang === lang && (
        <div class="cards" lang={htmlLang(lang)} dir={rtl ? 'rtl' : 'ltr'} data-testid="cards">
          {(people ?? []).map((p) => (
            <article class="card" key={p.id} data-code={p.data.code}>
              <p class="card-site">{site.name}</p>
              <p class="card-label">{translate(lang, 'card_label')}</p>
              <QrCode text={displayCode(p.data.code)} encode={encode} />
              <p class="card-code" dir="ltr">
                {displayCode(p.data.code)}
              </p>
              <p class="card-note">{translate(lang, 'card_note')}</p>
            </article>
          ))}
        </div>
      )}
    </>
  );
}
