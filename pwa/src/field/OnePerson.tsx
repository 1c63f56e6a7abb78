/**
 * Who was seen at an individual session: exactly one person, found among
 * the site's people by code or name (this phone first, the server when
 * online), by the code on her card (typed or scanned, offline too: the
 * server matches it on sync), or registered on the spot. Choosing again
 * replaces her; the form keeps one id or one code, never both.
 */
import { useState } from 'preact/hooks';
import { t } from '../i18n';
import { displayCode } from '../sync/codes';
import type { CodeInfo } from './AddByCode';
import { AddByCode, codeMeta } from './AddByCode';
import { ParticipantFinder, participantMeta } from './common';
import { findOnPhone } from './data';
import { useLocal } from './hooks';
import { participantLabel } from './model';
import { RegisterForm } from './RegisterScreen';

export function OnePerson({
  siteId,
  personId,
  code,
  onPickId,
  onPickCode,
  onClear,
  error,
}: {
  siteId: number;
  /** The one person chosen by id, if any. */
  personId?: string;
  /** Or the code added of someone this phone does not hold (canonical). */
  code?: string;
  onPickId: (id: string) => void;
  onPickCode: (code: string) => void;
  onClear: () => void;
  error?: string;
}) {
  const [registering, setRegistering] = useState(false);
  const [codeInfo, setCodeInfo] = useState<CodeInfo | undefined>(undefined);
  const person = useLocal(
    (db) => (personId ? findOnPhone(db, { id: personId }) : Promise.resolve(undefined)),
    [personId],
  );
  const chosen = personId !== undefined || code !== undefined;

  return (
    <fieldset class="field-group one-person" data-testid="person-seen">
      <legend>{t('person_seen')}</legend>
      {chosen ? (
        <div class="chosen-person">
          {personId !== undefined ? (
            <>
              {/* A given name is a name someone typed: isolated from the text around it. */}
              <p class="chosen-name">
                <strong>
                  <bdi>
                    {person ? participantLabel(person) : t('participant_elsewhere', { id: personId.slice(0, 8) })}
                  </bdi>
                </strong>
              </p>
              {person && <p class="muted">{participantMeta(person)}</p>}
            </>
          ) : (
            <>
              <p class="chosen-name" data-code={code}>
                <strong dir="ltr">{displayCode(code ?? '')}</strong>
              </p>
              <p class="muted">{codeMeta(codeInfo)}</p>
            </>
          )}
          <button type="button" class="button button-secondary" onClick={onClear}>
            {t('change_person')}
          </button>
        </div>
      ) : null}
      {/* The form's last check said nobody was chosen: gone once someone is. */}
      {error && !chosen && <p class="field-error">{error}</p>}
      {!chosen && siteId > 0 && registering && (
        <RegisterForm
          draftKey="participant:individual"
          siteIds={[siteId]}
          defaultSite={siteId}
          onDone={(p) => {
            onPickId(p.id);
            setRegistering(false);
          }}
          onCancel={() => setRegistering(false)}
        />
      )}
      {!chosen && !registering && (
        <>
          <ParticipantFinder exclude={new Set()} onPick={(p) => onPickId(p.id)} />
          <h3>{t('add_by_code')}</h3>
          <AddByCode
            onAddId={onPickId}
            onAddCode={(added, info) => {
              setCodeInfo(info);
              onPickCode(added);
            }}
          />
          {siteId > 0 && (
            <button type="button" class="button button-secondary button-wide" onClick={() => setRegistering(true)}>
              {t('register_new')}
            </button>
          )}
        </>
      )}
    </fieldset>
  );
}
