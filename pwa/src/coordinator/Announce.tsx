/**
 * An announcement to the staff of chosen sites, sent as a notification to
 * their phones (server: POST /api/push/announcements). It passes through
 * the browsers' push services, so the form says plainly: no participant
 * data. The server keeps the limit (280 characters) and the audit entry.
 */
import { useState } from 'preact/hooks';
import type { Site } from '../api/types';
import { t, tn } from '../i18n/staff';
import { describeError } from '../ui/errors';
import { Checkbox, FieldGroup, TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import { announce } from './api';

export const ANNOUNCEMENT_MAX = 280;

export function Announce({ sites }: { sites: Site[] }) {
  const [chosen, setChosen] = useState<number[]>([]);
  const [text, setText] = useState('');
  const [errors, setErrors] = useState<{ sites?: string; text?: string }>({});
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const length = [...text.trim()].length;

  const send = async (e: Event) => {
    e.preventDefault();
    setMessage(null);
    const found = {
      sites: chosen.length === 0 ? t('announce_sites_needed') : undefined,
      text: length === 0 ? t('field_required') : length > ANNOUNCEMENT_MAX ? t('announce_too_long') : undefined,
    };
    setErrors(found);
    if (found.sites || found.text) return;
    setBusy(true);
    try {
      const sent = await announce(chosen, text.trim());
      setMessage({ kind: 'success', text: tn('announce_sent', sent.devices, { people: sent.recipients }) });
      setText('');
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error).message });
    }
    setBusy(false);
  };

  return (
    <section aria-labelledby="announce-title">
      <h2 id="announce-title">{t('announce_title')}</h2>
      <details class="target-form">
        <summary class="button button-secondary">{t('announce_new')}</summary>
        <form class="form" onSubmit={send} noValidate>
          <p class="muted">{t('announce_privacy')}</p>
          <FieldGroup legend={t('announce_sites')} error={errors.sites}>
            {sites.map((s) => (
              <Checkbox
                key={s.id}
                id={`announce-site-${s.id}`}
                label={<bdi>{`${s.code} ${s.name}`}</bdi>}
                checked={chosen.includes(s.id)}
                onChange={(on) => setChosen(on ? [...chosen, s.id] : chosen.filter((id) => id !== s.id))}
              />
            ))}
          </FieldGroup>
          <TextField
            id="announce-text"
            label={t('announce_text')}
            value={text}
            onInput={setText}
            hint={t('announce_count', { n: length, max: ANNOUNCEMENT_MAX })}
            error={errors.text}
          />
          <button type="submit" class="button button-wide" disabled={busy}>
            {busy ? t('sending') : t('announce_send')}
          </button>
          {message && <Notice kind={message.kind}>{message.text}</Notice>}
        </form>
      </details>
    </section>
  );
}
