/**
 * Screens loaded on demand (admin, coordinator, and the field's forms), so
 * field phones never download the staff ones. If a chunk cannot be fetched
 * (offline before it was cached, or a release removed it) the person is
 * told and offered a reload, instead of a blank screen.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';

/**
 * A screen's module, and what must be ready before it shows: the staff
 * screens export their strings' loading as `ready` (i18n/staff), so they
 * never flash in English before the language shown arrives.
 */
interface ScreenModule<P> {
  default: ComponentType<P>;
  ready?: Promise<unknown>;
}

export function lazyScreen<P extends object>(load: () => Promise<ScreenModule<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<ComponentType<P>> | null = null;

  return function LazyScreen(props: P) {
    const [, setReady] = useState(false);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      loading ??= load().then(async (module) => {
        await module.ready;
        loaded = module.default;
        return loaded;
      });
      loading.then(
        () => setReady(true),
        () => {
          loading = null;
          setFailed(true);
        },
      );
    }, []);
    if (loaded) {
      const Screen = loaded;
      return <Screen {...props} />;
    }
    if (failed) {
      return (
        <div class="notice notice-error" role="alert">
          <p>{t('chunk_failed')}</p>
          <button type="button" class="button" onClick={() => location.reload()}>
            {t('reload')}
          </button>
        </div>
      );
    }
    return <p class="loading">{t('loading')}</p>;
  };
}
