/**
 * Likely duplicates among a coordinator's sites (issue 10): pairs the
 * server found (same sex, birth year within one, similar given name, at
 * one site or one partner), each with a merge: the coordinator chooses
 * which registration to keep and confirms. The server moves attendances,
 * roster places and registrations to the one kept, keeps the other code as
 * an alias for ever, and writes the merge in the audit log.
 */
import { useState } from 'preact/hooks';
import { t, tn } from '../i18n/staff';
import { describeError } from '../ui/errors';
import { Link } from '../ui/Link';
import { LoadFailed, Loading, Notice } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import type { DuplicatePair, DuplicateSide } from './api';
import { duplicates, mergeParticipants } from './api';

const show = (p: DuplicateSide) => (p.given_name ? `${p.given_name} · ${displayCode(p.code)}` : displayCode(p.code));

/** `K7M42QX` → `K7M-42QX` (as the cards print it). */
function displayCode(code: string): string {
  return code.length === 7 ? `${code.slice(0, 3)}-${code.slice(3)}` : code;
}

/** The server's reason in the person's language (it ends with where the two are: one site, or one partner's sites). */
function reasonText(reason: string): string {
  if (reason.endsWith('same site')) return t('dups_reason_site');
  if (reason.endsWith('same partner')) return t('dups_reason_partner');
  return reason;
}

export function Duplicates() {
  const [pairs, retry] = useRemote(duplicates);
  const [done, setDone] = useState('');
  return (
    <>
      <Link href="/" class="back-link">
        {t('nav_dashboard')}
      </Link>
      <h1>{t('dups_title')}</h1>
      <p class="muted">{t('dups_text')}</p>
      {done && <Notice kind="success">{done}</Notice>}
      {pairs.state === 'loading' && <Loading />}
      {pairs.state === 'failed' && <LoadFailed error={pairs.error} retry={retry} />}
      {pairs.state === 'ready' &&
        (pairs.data.length === 0 ? (
          <p class="empty">{t('dups_none')}</p>
        ) : (
          <>
            <p class="muted">{tn('dups_count', pairs.data.length)}</p>
            <ul class="list" data-testid="duplicate-pairs">
              {pairs.data.map((pair) => (
                <Pair
                  key={`${pair.a.id}|${pair.b.id}`}
                  pair={pair}
                  onMerged={(kept) => {
                    setDone(t('dups_merged', { code: displayCode(kept.code) }));
                    retry();
                  }}
                />
              ))}
            </ul>
          </>
        ))}
    </>
  );
}

function Pair({ pair, onMerged }: { pair: DuplicatePair; onMerged: (kept: DuplicateSide) => void }) {
  /** The registration to keep, once chosen: the merge waits for a confirmation. */
  const [keep, setKeep] = useState<DuplicateSide | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const other = keep === pair.a ? pair.b : pair.a;
  async function merge() {
    if (!keep) return;
    setBusy(true);
    setError('');
    try {
      await mergeParticipants(keep.id, other.id);
      onMerged(keep);
    } catch (e) {
      setError(describeError(e).message);
      setBusy(false);
    }
  }
  return (
    <li class="list-item duplicate-pair" data-pair={`${pair.a.code}|${pair.b.code}`}>
      <span class="list-title" dir="auto">
        {show(pair.a)} ↔ {show(pair.b)}
      </span>
      <span class="list-meta">{reasonText(pair.reason)}</span>
      {error && <Notice kind="error">{error}</Notice>}
      {keep ? (
        <div class="logout-question" role="alertdialog" aria-label={t('dups_confirm_title')}>
          <p>{t('dups_confirm', { keep: show(keep), merge: show(other) })}</p>
          <button type="button" class="button button-danger button-wide" disabled={busy} onClick={() => void merge()}>
            {t('dups_merge_yes')}
          </button>
          <button type="button" class="button button-secondary button-wide" onClick={() => setKeep(null)}>
            {t('cancel')}
          </button>
        </div>
      ) : (
        <div class="action-grid">
          {[pair.a, pair.b].map((side) => (
            <button key={side.id} type="button" class="button button-secondary" onClick={() => setKeep(side)}>
              {t('dups_keep', { code: displayCode(side.code) })}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}
