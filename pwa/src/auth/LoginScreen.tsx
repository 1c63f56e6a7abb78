/** The login screen: login name, password, and the language of the phone. */
import { useState } from 'preact/hooks';
import { language, t } from '../i18n';
import { online } from '../net/connectivity';
import { useStore } from '../store';
import { describeError } from '../ui/errors';
import { TextField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import { AppBar, UpdateBanner } from '../ui/Shell';
import { LanguagePicker } from './LanguagePicker';
import { logIn } from './session';

export function LoginScreen() {
  const lang = useStore(language);
  const isOnline = useStore(online);
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await logIn(login.trim(), password);
    } catch (err) {
      setError(describeError(err).message);
      setBusy(false);
    }
  }

  return (
    <div class="shell">
      <AppBar />
      <UpdateBanner />
      <main class="screen" id="main">
        <h1>{t('login_title')}</h1>
        <p class="tagline">{t('app_tagline')}</p>
        {!isOnline && <Notice kind="warning">{t('login_needs_network')}</Notice>}
        <form class="form" onSubmit={submit} noValidate>
          <TextField
            id="login"
            label={t('login_name')}
            value={login}
            onInput={setLogin}
            autoComplete="username"
            autoCapitalize="none"
            dir="ltr"
            required
          />
          <TextField
            id="password"
            label={t('password')}
            type="password"
            value={password}
            onInput={setPassword}
            autoComplete="current-password"
            dir="ltr"
            required
          />
          {error && <Notice kind="error">{error}</Notice>}
          <button type="submit" class="button button-wide" disabled={busy || !login.trim() || !password}>
            {busy ? t('logging_in') : t('login_button')}
          </button>
        </form>
        <LanguagePicker current={lang} />
      </main>
    </div>
  );
}
