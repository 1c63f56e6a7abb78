/**
 * Referrals (issue 17): those I made, as this phone holds them (waiting to
 * send, then their status as the server answers it after each sync), and,
 * online, those addressed to my organisation, which I move one step at a
 * time (accepted / declined → service received / not reached → closed).
 * People appear by code, sex and age band only, never by name.
 */
import { useState } from 'preact/hooks';
import { listReferrals, moveReferral } from '../api/endpoints';
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
import { Notice } from '../ui/Notice';
import { useRemote } from '../ui/useRemote';
import type { ReferralRow } from './data';
import { loadMyReferrals, loadServices } from './data';
import type { ReferralStatus, ReferralView, ServiceData } from './model';
import { isServerView, nextSteps } from './model';
import { categoryLabel } from './ReferScreen';

const statusLabel = (s: ReferralStatus) => t(`referral_status_${s}` as StringKey);

export function ReferralsScreen({ receivedOnly = false }: { receivedOnly?: boolean }) {
  return (
    <>
      <h1>{t('referrals_title')}</h1>
      {!receivedOnly && <MyReferrals />}
      <ReceivedReferrals />
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

/** Referrals addressed to my organisation: read from the server (audited there), so online only. */
function ReceivedReferrals() {
  const isOnline = useStore(online);
  const [remote, reload] = useRemote(() => listReferrals('received'), [isOnline]);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function move(r: ReferralView, step: ReferralStatus) {
    setBusy(true);
    try {
      await moveReferral(r.id, step, today(), r.version);
      setMessage({ kind: 'success', text: t('referral_moved') });
    } catch (error) {
      // Someone else moved it meanwhile, or the step no longer follows: show it as it now stands.
      setMessage({ kind: 'error', text: describeError(error).message });
    } finally {
      setBusy(false);
      reload();
    }
  }

  return (
    <section data-testid="received-referrals">
      <h2>{t('received_referrals')}</h2>
      {message && <Notice kind={message.kind}>{message.text}</Notice>}
      {!isOnline && <p class="muted">{t('received_offline')}</p>}
      {isOnline && remote.state === 'loading' && <p class="loading">{t('loading')}</p>}
      {isOnline && remote.state === 'failed' && <Notice kind="error">{describeError(remote.error).message}</Notice>}
      {isOnline && remote.state === 'ready' && remote.data.referrals.length === 0 && (
        <p class="empty">{t('no_referrals')}</p>
      )}
      {isOnline && remote.state === 'ready' && remote.data.referrals.length > 0 && (
        <ul class="list">
          {remote.data.referrals.map((r) => (
            <Received key={r.id} r={r} busy={busy} onMove={(step) => void move(r, step)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Received({ r, busy, onMove }: { r: ReferralView; busy: boolean; onMove: (step: ReferralStatus) => void }) {
  const lang = useStore(language);
  const p = r.participant;
  return (
    <li class="list-item" data-received-id={r.id} data-status={r.status}>
      <span class="list-title">
        <span dir="ltr">{displayCode(p.code)}</span> · {t(p.sex === 'female' ? 'sex_female' : 'sex_male')},{' '}
        {bandLabel(p.age_band as AgeBand)}
      </span>
      <span class="list-meta">
        <bdi>{r.service.name}</bdi> ({categoryLabel(r.service.category)}) · <bdi>{r.from_site.name}</bdi> ·{' '}
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
      </span>
      <div class="action-grid">
        {nextSteps(r.status).map((step) => (
          <button key={step} type="button" class="button button-secondary" disabled={busy} onClick={() => onMove(step)}>
            {step === 'service_received' || step === 'not_reached'
              ? statusLabel(step)
              : t(`referral_step_${step}` as StringKey)}
          </button>
        ))}
      </div>
    </li>
  );
}
