/**
 * Referrals (issue 17): those I made, as this phone holds them (waiting to
 * send, then their status as the server answers it after each sync), and,
 * online, those addressed to my organisation, which I move one step at a
 * time (accepted / declined → service received / not reached → closed),
 * a page at a time. A coordinator also sees those made from their sites,
 * and records the answers of outside organisations there.
 * People appear by code, sex and age band only, never by name.
 */
import { useEffect, useState } from 'preact/hooks';
import { getReferral, listReferrals, moveReferral } from '../api/endpoints';
import { bandLabel, formatDay } from '../field/common';
import { useLocal } from '../field/hooks';
import type { AgeBand } from '../field/model';
import { today } from '../field/model';
import { language, t } from '../i18n';
import type { StringKey } from '../i18n/messages';
import { online } from '../net/connectivity';
import { useStore } from '../store';
import { displayCode } from '../sync/codes';
import { describeError } from '../ui/errors';
import { Link } from '../ui/Link';
import { LoadFailed, Notice } from '../ui/Notice';
import type { ReferralRow } from './data';
import { loadMyReferrals, loadServices } from './data';
import type { ReferralStatus, ReferralView, ServiceData, Side } from './model';
import { appendPage, isOutside, isServerView, replaceReferral, stepsFrom } from './model';
import { categoryLabel } from './ReferScreen';

const statusLabel = (s: ReferralStatus) => t(`referral_status_${s}` as StringKey);

/**
 * A trainer's: those on this phone, then those addressed to their
 * organisation. A coordinator's (`staff`): those addressed to their
 * partners, those made from their sites, and their tools (the directory's
 * keeping, the figures).
 */
export function ReferralsScreen({ staff = false }: { staff?: boolean }) {
  return (
    <>
      <h1>{t('referrals_title')}</h1>
      {staff && (
        <div class="action-grid">
          <Link href="/referrals/figures" class="button button-secondary">
            {t('referral_figures_title')}
          </Link>
          <Link href="/directory/keep" class="button button-secondary">
            {t('directory_keep_title')}
          </Link>
        </div>
      )}
      {!staff && <MyReferrals />}
      <RemoteReferrals side="received" />
      {staff && <RemoteReferrals side="made" />}
    </>
  );
}

function MyReferrals() {
  const lang = useStore(language);
  const loaded = useLocal(async (db) => ({ rows: await loadMyReferrals(db), services: await loadServices(db) }));
  if (!loaded) return <p class="loading">{t('loading')}</p>;
  const services = new Map<number, ServiceData>(loaded.services.map((s) => [s.id, s]));
  return (
    <>
      <h2>{t('my_referrals')}</h2>
      <div class="action-grid">
        <Link href="/refer" class="button button-secondary">
          {t('refer_title')}
        </Link>
        <Link href="/directory" class="button button-secondary">
          {t('directory_title')}
        </Link>
      </div>
      {loaded.rows.length === 0 ? (
        <p class="empty">{t('no_referrals')}</p>
      ) : (
        <ul class="list" data-testid="my-referrals">
          {loaded.rows.map((row) => (
            <MyReferral key={row.referral.id} row={row} services={services} lang={lang} />
          ))}
        </ul>
      )}
    </>
  );
}

function MyReferral({ row, services, lang }: { row: ReferralRow; services: Map<number, ServiceData>; lang: string }) {
  const d = row.referral.data;
  const view = isServerView(d) ? d : undefined;
  const code = view ? view.participant.code : isServerView(d) ? '' : d.participant_code;
  const service = view ? view.service.name : isServerView(d) ? '' : services.get(d.service_id)?.name;
  const organisation = view
    ? view.organisation.name
    : isServerView(d)
      ? ''
      : services.get(d.service_id)?.organisation_name;
  const state = row.item ? row.item.state : (view?.status ?? 'referred');
  return (
    <li class="list-item" data-referral-id={row.referral.id} data-status={state}>
      <span class="list-title">
        <span dir="ltr">{displayCode(code)}</span> · <bdi>{service}</bdi>
      </span>
      <span class="list-meta">
        <bdi>{organisation}</bdi> · {formatDay(d.referred_on, lang)} · {t(`urgency_${d.urgency}`)}
      </span>
      <span class="badges">
        <span class="badge">
          {row.item
            ? t(row.item.state === 'waiting' ? 'state_waiting' : 'state_rejected')
            : statusLabel(view?.status ?? 'referred')}
        </span>
        {view?.overdue && <span class="badge badge-flagged">{t('referral_overdue')}</span>}
      </span>
      {row.item && row.item.state !== 'waiting' && (
        <Link href={`/outbox/${row.referral.id}`} class="button button-danger">
          {t('resolve')}
        </Link>
      )}
    </li>
  );
}

/** How many referrals a page of a server list holds; "Show more" reads the next. */
export const PAGE_SIZE = 20;

type Page = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'ready' };

/**
 * Referrals of one side read from the server (each page audited there), so
 * online only, a page at a time: `received`, addressed to my organisation,
 * which I answer; `made`, from my sites (coordinators), where I record an
 * outside organisation's answers and close. A step replaces the referral in
 * place, so the pages already read stay as they are.
 */
function RemoteReferrals({ side }: { side: Side }) {
  const isOnline = useStore(online);
  const [shown, setShown] = useState<ReferralView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [page, setPage] = useState<Page>({ state: 'loading' });
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);

  async function load(before?: string) {
    setPage({ state: 'loading' });
    try {
      const answer = await listReferrals(side, { before, limit: PAGE_SIZE });
      setShown((list) => (before ? appendPage(list, answer.referrals) : answer.referrals));
      setNext(answer.next_before ?? null);
      setPage({ state: 'ready' });
    } catch (error) {
      setPage({ state: 'failed', error });
    }
  }

  useEffect(() => {
    if (isOnline) void load();
  }, [isOnline, attempt]);

  async function move(r: ReferralView, step: ReferralStatus) {
    setBusy(true);
    try {
      const moved = await moveReferral(r.id, step, today(), r.version);
      setShown((list) => replaceReferral(list, moved));
      setMessage({ kind: 'success', text: t('referral_moved') });
    } catch (error) {
      // Someone else moved it meanwhile, or the step no longer follows: show it as it now stands.
      setMessage({ kind: 'error', text: describeError(error).message });
      try {
        const now = await getReferral(r.id);
        setShown((list) => replaceReferral(list, now));
      } catch {
        // Left as it was shown; the message says what went wrong.
      }
    } finally {
      setBusy(false);
    }
  }

  const title = side === 'received' ? t('received_referrals') : t('made_referrals');
  const empty = page.state === 'ready' && shown.length === 0;
  return (
    <section data-testid={`${side}-referrals`}>
      <h2>{title}</h2>
      {side === 'made' && <p class="muted">{t('made_referrals_hint')}</p>}
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {!isOnline && <p class="muted">{t('received_offline')}</p>}
      {isOnline && empty && <p class="empty">{t('no_referrals')}</p>}
      {isOnline && shown.length > 0 && (
        <ul class="list">
          {shown.map((r) => (
            <RemoteReferral key={r.id} r={r} side={side} busy={busy} onMove={(step) => void move(r, step)} />
          ))}
        </ul>
      )}
      {isOnline && page.state === 'loading' && <p class="loading">{t('loading')}</p>}
      {isOnline && page.state === 'failed' && (
        <LoadFailed
          error={page.error}
          retry={() => (shown.length ? void load(next ?? undefined) : setAttempt((n) => n + 1))}
        />
      )}
      {isOnline && page.state === 'ready' && next && (
        <button type="button" class="button button-secondary button-wide" onClick={() => void load(next)}>
          {t('referrals_show_more')}
        </button>
      )}
    </section>
  );
}

function RemoteReferral({
  r,
  side,
  busy,
  onMove,
}: {
  r: ReferralView;
  side: Side;
  busy: boolean;
  onMove: (step: ReferralStatus) => void;
}) {
  const lang = useStore(language);
  const p = r.participant;
  const steps = stepsFrom(side, r);
  return (
    <li class="list-item" data-referral-id={r.id} data-side={side} data-status={r.status}>
      <span class="list-title">
        <span dir="ltr">{displayCode(p.code)}</span> · {t(p.sex === 'female' ? 'sex_female' : 'sex_male')},{' '}
        {bandLabel(p.age_band as AgeBand)}
      </span>
      <span class="list-meta">
        <bdi>{r.service.name}</bdi> ({categoryLabel(r.service.category)}) ·{' '}
        {side === 'received' ? <bdi>{r.from_site.name}</bdi> : <bdi>{r.organisation.name}</bdi>} ·{' '}
        {formatDay(r.referred_on, lang)} · {t(`urgency_${r.urgency}`)}
      </span>
      {r.note && (
        <p class="muted">
          <bdi>{r.note}</bdi>
        </p>
      )}
      <span class="badges">
        <span class="badge">{statusLabel(r.status)}</span>
        {r.overdue && <span class="badge badge-flagged">{t('referral_overdue')}</span>}
        {side === 'made' && isOutside(r) && <span class="badge">{t('referral_outside')}</span>}
      </span>
      {side === 'made' && isOutside(r) && steps.some((s) => s !== 'closed') && (
        <p class="muted">{t('referral_record_answer')}</p>
      )}
      {steps.length > 0 && (
        <div class="action-grid">
          {steps.map((step) => (
            <button
              key={step}
              type="button"
              class="button button-secondary"
              data-step={step}
              disabled={busy}
              onClick={() => onMove(step)}
            >
              {step === 'service_received' || step === 'not_reached'
                ? statusLabel(step)
                : t(`referral_step_${step}` as StringKey)}
            </button>
          ))}
        </div>
      )}
    </li>
  );
}
