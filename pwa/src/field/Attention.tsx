/**
 * "Needs your attention", at the top of a field worker's home: a
 * coordinator's flags and what the server did not take, each one tap from
 * its fix (the record to correct, or the screen that resolves it). The
 * phone pulls while the app is open (sync/engine.ts), so a flag set now
 * shows here within the minute.
 */
import type { Language } from '../api/types';
import { language, t } from '../i18n';
import { listSeparator } from '../i18n/format';
import { useStore } from '../store';
import { Link } from '../ui/Link';
import type { AttentionItem } from './attention';
import { formatDay, recordTitle } from './common';
import type { Home } from './data';

const REASON = { flagged: 'review_flagged', conflict: 'state_conflict', rejected: 'state_rejected' } as const;
const FIX = { flagged: 'attention_correct', conflict: 'resolve', rejected: 'resolve' } as const;

function itemTitle(item: AttentionItem, home: Home, lang: string): string {
  if (!item.row) return t(item.kind === 'group' ? 'attention_group' : 'attention_participant');
  return `${recordTitle(item.row, home.types)}${listSeparator(lang as Language)}${formatDay(item.row.record.data.date, lang)}`;
}

export function NeedsAttention({ home }: { home: Home }) {
  const lang = useStore(language);
  if (home.attention.length === 0) return null;
  return (
    <section class="attention" aria-labelledby="attention-title" data-testid="attention">
      <h2 id="attention-title">{t('attention_title')}</h2>
      <ul class="list">
        {home.attention.map((item) => (
          <li key={`${item.reason}-${item.id}`} class="list-item attention-item" data-attention={item.reason}>
            <Link href={item.href} class="list-link">
              <span class="list-title">{itemTitle(item, home, lang)}</span>
              <span class="list-meta">
                <span class={`badge badge-${item.reason}`}>{t(REASON[item.reason])}</span>
                {item.comment && <span class="attention-comment">{item.comment}</span>}
              </span>
              <span class="attention-fix">{t(FIX[item.reason])}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
