/**
 * "Add by code" on a roster or CFS check-in (issue 10): the code on the
 * card a person carries, typed or scanned, records her here even when
 * she was registered at another site.
 *
 * - The check character is checked on the phone, offline: a mistyped
 *   character is caught at once, in the person's language.
 * - Someone this phone holds (its own participants, visitors pulled from
 *   the server) is ticked by id.
 * - Anyone else is added by code (`attendance_codes`), which the server
 *   resolves on sync. Online, the server is asked first, to refuse an
 *   unknown code and to show sex and age band; offline, the code waits
 *   "to be matched".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, NetworkError } from '../api/client';
import { lookupParticipantCode } from '../api/endpoints';
import { t } from '../i18n';
import { online } from '../net/connectivity';
import { useStore } from '../store';
import { displayCode, isValidCode, normaliseCode } from '../sync/codes';
import { bandLabel } from './common';
import { findHeld } from './data';
import type { AgeBand } from './model';

/** What the server said about a code added online: enough to see it is the right child. */
export type CodeInfo = { sex: string; age_band: string };

export function codeMeta(info: CodeInfo | undefined): string {
  if (!info) return t('code_waiting');
  return `${t(info.sex === 'female' ? 'sex_female' : 'sex_male')}, ${bandLabel(info.age_band as AgeBand)}`;
}

/** Whether this browser can read QR codes from the camera (Chrome on Android can; most desktops cannot). */
const canScan = () => typeof window !== 'undefined' && 'BarcodeDetector' in window && !!navigator.mediaDevices;

export function AddByCode({
  onAddId,
  onAddCode,
}: {
  onAddId: (id: string) => void;
  onAddCode: (code: string, info?: CodeInfo) => void;
}) {
  const [text, setText] = useState('');
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [scanning, setScanning] = useState(false);
  const isOnline = useStore(online);

  async function add(typed: string) {
    const code = normaliseCode(typed);
    if (!isValidCode(code)) {
      setMessage({ error: true, text: t('code_invalid') });
      return;
    }
    setBusy(true);
    try {
      const held = await findHeld({ code });
      if (held) onAddId(held.id);
      else if (!isOnline) onAddCode(code);
      else {
        try {
          const found = await lookupParticipantCode(code);
          // A merged-away code answers the survivor, who may be on this phone by id.
          const known = await findHeld({ id: found.id });
          if (known) onAddId(known.id);
          else onAddCode(code, { sex: found.sex, age_band: found.age_band });
        } catch (error) {
          if (error instanceof NetworkError) onAddCode(code);
          else if (error instanceof ApiError && error.status === 404) {
            setMessage({ error: true, text: t('code_unknown') });
            return;
          } else if (error instanceof ApiError && error.status === 422) {
            setMessage({ error: true, text: t('code_invalid') });
            return;
          } else onAddCode(code);
        }
      }
      setMessage({ error: false, text: t('code_added', { code: displayCode(code) }) });
      setText('');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="add-by-code">
      {/* Not a <form>: it sits inside the record's form, and forms do not nest. */}
      <div class="field code-field">
        <label for="code-entry">{t('code_on_card')}</label>
        <div class="code-row">
          <input
            id="code-entry"
            dir="ltr"
            value={text}
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            maxLength={12}
            aria-describedby="code-entry-hint"
            aria-invalid={message?.error ? 'true' : undefined}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setMessage(null);
            }}
            onKeyDown={(e) => {
              // Enter adds the code rather than saving the whole record.
              if (e.key === 'Enter') {
                e.preventDefault();
                void add(text);
              }
            }}
          />
          <button
            type="button"
            class="button button-secondary"
            disabled={busy || !text.trim()}
            onClick={() => void add(text)}
          >
            {t('add_code')}
          </button>
        </div>
        <p class="field-hint" id="code-entry-hint">
          {t('code_hint')}
        </p>
        {message && (
          <p class={message.error ? 'field-error' : 'field-hint'} role="status" data-testid="code-message">
            {message.text}
          </p>
        )}
      </div>
      {canScan() &&
        (scanning ? (
          <Scanner
            onCode={(code) => {
              setScanning(false);
              void add(code);
            }}
            onStop={() => setScanning(false)}
          />
        ) : (
          <button type="button" class="button button-secondary button-wide" onClick={() => setScanning(true)}>
            {t('scan_card')}
          </button>
        ))}
    </div>
  );
}

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}

/** The camera, read a few times a second until a card's code is seen. */
function Scanner({ onCode, onStop }: { onCode: (code: string) => void; onStop: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    let live = true;
    const Ctor = (window as unknown as { BarcodeDetector: new (o: object) => Detector }).BarcodeDetector;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' } })
      .then(async (s) => {
        stream = s;
        if (!live || !video.current) return;
        video.current.srcObject = s;
        await video.current.play();
        const detector = new Ctor({ formats: ['qr_code'] });
        timer = setInterval(async () => {
          if (!video.current) return;
          const found = await detector.detect(video.current).catch(() => []);
          const code = found.map((f) => f.rawValue).find((raw) => isValidCode(raw));
          if (code && live) onCode(code);
        }, 300);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
      if (timer) clearInterval(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, []);
  return (
    <div class="scanner">
      {failed ? <p class="field-error">{t('camera_unavailable')}</p> : <p class="field-hint">{t('scan_hint')}</p>}
      <video ref={video} class="scanner-video" muted playsInline />
      <button type="button" class="button button-secondary button-wide" onClick={onStop}>
        {t('scan_stop')}
      </button>
    </div>
  );
}
