/**
 * Something the server did not take: a conflict (the server has a newer
 * version: see both side by side and choose) or a refusal (the reasons,
 * then fix it or give it up).
 */
import { t } from '../i18n';
import { navigate } from '../router';
import { reasonsOf, serverCopyOf } from '../sync/outbox';
import { Link } from '../ui/Link';
import { Notice } from '../ui/Notice';
import { discard, keepMine, loadOutboxItem, takeTheirs } from './data';
import { useLocal } from './hooks';
import { fieldLabel, reasonAsSent, reasonText } from './serverWords';

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function ResolveScreen({ id }: { id: string }) {
  const item = useLocal((db) => loadOutboxItem(db, id), [id]);
  if (item === undefined) {
    return (
      <>
        <h1>{t('resolve_title')}</h1>
        <p class="empty">{t('resolve_nothing')}</p>
        <Link href="/" class="button button-secondary button-wide">
          {t('back')}
        </Link>
      </>
    );
  }
  const done = (action: Promise<void>) => void action.then(() => navigate('/'));
  if (item.state === 'conflict') {
    const server = serverCopyOf(item);
    const mine = (item.data ?? {}) as Record<string, unknown>;
    const theirs = (server?.data ?? {}) as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(mine), ...Object.keys(theirs)])].filter(
      (k) => show(mine[k]) !== show(theirs[k]),
    );
    return (
      <>
        <h1>{t('conflict_title')}</h1>
        <p>{t('conflict_explain')}</p>
        {server?.deleted && <Notice kind="warning">{t('conflict_deleted')}</Notice>}
        <table class="compare" data-testid="compare">
          <thead>
            <tr>
              <th scope="col">{t('field')}</th>
              <th scope="col">{t('on_phone')}</th>
              <th scope="col">{t('on_server')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k}>
                <th scope="row" dir={fieldLabel(k) ? undefined : 'ltr'}>
                  {fieldLabel(k) ?? k}
                </th>
                <td dir="auto">{item.deleted ? t('state_deleting') : show(mine[k])}</td>
                <td dir="auto">{show(theirs[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" class="button button-wide" onClick={() => done(keepMine(item))}>
          {t('keep_mine')}
        </button>
        <button type="button" class="button button-secondary button-wide" onClick={() => done(takeTheirs(item))}>
          {t('take_theirs')}
        </button>
      </>
    );
  }
  const reasons = reasonsOf(item);
  return (
    <>
      <h1>{t('rejected_title')}</h1>
      <p>{t('rejected_explain')}</p>
      <ul class="list reasons">
        {Object.entries(reasons).map(([field, reason]) => (
          <li class="list-item" key={field}>
            <span class="list-title" dir={fieldLabel(field) ? undefined : 'ltr'}>
              {fieldLabel(field) ?? field}
            </span>
            {reasonText(reason) ? (
              <span data-refusal={typeof reason === 'string' ? undefined : reason.code}>{reasonText(reason)}</span>
            ) : (
              <span dir="auto" lang="en">
                {reasonAsSent(reason)}
              </span>
            )}
          </li>
        ))}
      </ul>
      {item.kind === 'record' && !item.deleted && (
        <Link href={`/records/${item.id}`} class="button button-wide">
          {t('fix_it')}
        </Link>
      )}
      {item.kind === 'group' && (
        <Link href={`/groups/${item.id}`} class="button button-wide">
          {t('fix_it')}
        </Link>
      )}
      <button type="button" class="button button-danger button-wide" onClick={() => done(discard(item))}>
        {t('discard')}
      </button>
    </>
  );
}
