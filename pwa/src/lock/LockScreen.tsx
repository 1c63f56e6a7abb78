/**
 * The lock's screens (choose a PIN, locked, password needed, wiping), the
 * gate that shows them instead of the app, the always-visible quick exit
 * and lock controls, and the lock settings on the account screen.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { logOut } from '../auth/session';
import { t } from '../i18n';
import { online } from '../net/connectivity';
import { useStore } from '../store';
import { describeError } from '../ui/errors';
import { SelectField, TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import { AppBar } from '../ui/Shell';
import { clearQuickExit, quickExit } from './exit';
import { isValidPin, MIN_PIN_DIGITS } from './keyring';
import type { LockState } from './state';
import {
  DEFAULT_IDLE_MINUTES,
  idleMinutes,
  lockNow,
  lockState,
  setIdleMinutes,
  setPin,
  storagePersisted,
  unlockWithPassword,
  unlockWithPin,
} from './state';
import './lock.css';

/** The app, once unlocked; the lock's screens until then. */
export function LockGate({ children }: { children: ComponentChildren }) {
  const state = useStore(lockState);
  if (state.status === 'unlocked') return <>{children}</>;
  return (
    <div class="shell">
      <AppBar />
      <main class="screen lock-screen" id="main">
        <LockBody state={state} />
      </main>
    </div>
  );
}

function LockBody({ state }: { state: LockState }) {
  switch (state.status) {
    case 'set-pin':
      return <SetPin />;
    case 'locked':
      return <Locked waitUntil={state.waitUntil} />;
    case 'password':
      return <PasswordUnlock why={state.why} />;
    case 'wiping':
      return <p>{t('lock_wiping')}</p>;
    default:
      return <p>{t('lock_opening')}</p>;
  }
}

function PinField({
  id,
  label,
  value,
  onInput,
}: {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
}) {
  return (
    <TextField
      id={id}
      label={label}
      type="password"
      inputMode="numeric"
      autoComplete="off"
      dir="ltr"
      value={value}
      onInput={(v) => onInput(v.replace(/\D/g, ''))}
      required
    />
  );
}

function SetPin() {
  const [pin, setPinText] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    if (!isValidPin(pin)) return setError(t('lock_pin_too_short', { n: String(MIN_PIN_DIGITS) }));
    if (pin !== again) return setError(t('lock_pin_mismatch'));
    setBusy(true);
    await setPin(pin);
    clearQuickExit();
  }
  return (
    <form class="form" onSubmit={submit} noValidate>
      <h1>{t('lock_set_pin_title')}</h1>
      <p>{t('lock_set_pin_hint', { n: String(MIN_PIN_DIGITS) })}</p>
      <PinField id="new-pin" label={t('lock_new_pin')} value={pin} onInput={setPinText} />
      <PinField id="new-pin-again" label={t('lock_new_pin_again')} value={again} onInput={setAgain} />
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" class="button button-wide" disabled={busy}>
        {t('lock_save_pin')}
      </button>
    </form>
  );
}

function useNow(until: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (until <= now) return;
    const timer = setTimeout(() => setNow(Date.now()), 250);
    return () => clearTimeout(timer);
  }, [until, now]);
  return now;
}

function Locked({ waitUntil }: { waitUntil: number }) {
  const [pin, setPinText] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [usePassword, setUsePassword] = useState(false);
  const now = useNow(waitUntil);
  const waitSeconds = Math.ceil((waitUntil - now) / 1000);
  if (usePassword) return <PasswordUnlock why="chosen" />;
  async function submit(e: Event) {
    e.preventDefault();
    if (busy || waitSeconds > 0) return;
    setBusy(true);
    const answer = await unlockWithPin(pin);
    setBusy(false);
    setPinText('');
    if (answer.ok) clearQuickExit();
    else if (answer.left !== undefined) setMessage(t('lock_wrong_pin', { n: String(answer.left) }));
  }
  return (
    <form class="form" onSubmit={submit} noValidate>
      <h1>{t('lock_locked_title')}</h1>
      <PinField id="pin" label={t('lock_pin')} value={pin} onInput={setPinText} />
      {message && <Notice kind="error">{message}</Notice>}
      {waitSeconds > 0 && <Notice kind="warning">{t('lock_wait', { n: String(waitSeconds) })}</Notice>}
      <button
        type="submit"
        class="button button-wide"
        disabled={busy || waitSeconds > 0 || pin.length < MIN_PIN_DIGITS}
      >
        {busy ? t('lock_unlocking') : t('lock_unlock')}
      </button>
      <button type="button" class="button button-secondary button-wide" onClick={() => setUsePassword(true)}>
        {t('lock_use_password')}
      </button>
    </form>
  );
}

function PasswordUnlock({ why }: { why: 'no-key' | 'too-many' | 'lost-key' | 'chosen' }) {
  const isOnline = useStore(online);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await unlockWithPassword(password);
      clearQuickExit();
    } catch (err) {
      setError(describeError(err).message);
    }
    setBusy(false);
    setPassword('');
  }
  return (
    <form class="form" onSubmit={submit} noValidate>
      <h1>{t('lock_locked_title')}</h1>
      {why === 'too-many' && <Notice kind="warning">{t('lock_too_many')}</Notice>}
      {why === 'lost-key' && <Notice kind="error">{t('lock_lost_key')}</Notice>}
      <p>{t('lock_password_hint')}</p>
      {!isOnline && <Notice kind="warning">{t('login_needs_network')}</Notice>}
      <TextField
        id="unlock-password"
        label={t('password')}
        type="password"
        value={password}
        onInput={setPassword}
        autoComplete="current-password"
        dir="ltr"
        required
      />
      {error && <Notice kind="error">{error}</Notice>}
      <button type="submit" class="button button-wide" disabled={busy || !password}>
        {t('lock_unlock_password')}
      </button>
      <button type="button" class="button button-secondary button-wide" onClick={() => void logOut()}>
        {t('lock_log_out')}
      </button>
    </form>
  );
}

/** Always on screen: leave at once (Escape twice does the same), and lock when unlocked. */
export function SafetyControls() {
  const state = useStore(lockState);
  return (
    <div class="safety-controls">
      {state.status === 'unlocked' && (
        <button type="button" class="safety-lock" onClick={lockNow}>
          {t('lock_now')}
        </button>
      )}
      <button type="button" class="quick-exit" onClick={quickExit} title={t('quick_exit_hint')}>
        {t('quick_exit')}
      </button>
    </div>
  );
}

/** On the account screen: how soon the app locks, and whether the browser keeps the data. */
export function LockSettings() {
  const persisted = useStore(storagePersisted);
  const [minutes, setMinutes] = useState(idleMinutes());
  return (
    <section class="lock-settings">
      <SelectField
        id="lock-idle"
        label={t('lock_idle_label')}
        value={String(minutes)}
        options={[1, 2, 5, 10, 15, 30].map((m) => ({
          value: String(m),
          label: t('lock_idle_minutes', { n: String(m) }),
        }))}
        onChange={(value) => {
          const next = Number(value) || DEFAULT_IDLE_MINUTES;
          setIdleMinutes(next);
          setMinutes(next);
        }}
      />
      {persisted === false && <Notice kind="warning">{t('storage_not_persisted')}</Notice>}
    </section>
  );
}
