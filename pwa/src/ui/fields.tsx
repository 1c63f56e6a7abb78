/**
 * Form fields with their label, hint and error tied together for screen
 * readers, and sized for thumbs (48 px and more).
 */
import type { ComponentChildren } from 'preact';
import { language } from '../i18n';
import { formatInputDate } from '../i18n/format';

interface Common {
  id: string;
  label: string;
  hint?: string;
  error?: string;
}

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/**
 * The date a native date or month input holds, in the app's language: the
 * input shows the browser's locale (English month names on an Arabic
 * screen, often), so the date is also said in words beside it.
 */
export function DateSaid({ id, value }: { id: string; value: string }) {
  const said = formatInputDate(value, language.get());
  if (!said) return null;
  return (
    <p class="field-date" id={`${id}-said`} data-date-said={value}>
      {said}
    </p>
  );
}

export const isDateType = (type: string | undefined) => type === 'date' || type === 'month';

function Help({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint && (
        <p class="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </>
  );
}

export function TextField(
  props: Common & {
    value: string;
    onInput: (value: string) => void;
    type?: 'text' | 'password' | 'search' | 'date' | 'time' | 'month';
    autoComplete?: string;
    inputMode?: 'text' | 'decimal' | 'numeric';
    required?: boolean;
    dir?: 'ltr' | 'rtl' | 'auto';
    autoCapitalize?: 'none' | 'characters' | 'words';
  },
) {
  const { id, label, hint, error } = props;
  const dated = isDateType(props.type) && formatInputDate(props.value, language.get()) !== null;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        autoComplete={props.autoComplete ?? 'off'}
        inputMode={props.inputMode}
        required={props.required}
        dir={props.dir}
        autoCapitalize={props.autoCapitalize}
        spellcheck={false}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={[dated ? `${id}-said` : '', describedBy(id, hint, error) ?? ''].join(' ').trim() || undefined}
      />
      {isDateType(props.type) && <DateSaid id={id} value={props.value} />}
      <Help id={id} hint={hint} error={error} />
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function SelectField(
  props: Common & {
    value: string;
    options: Option[];
    onChange: (value: string) => void;
    placeholder?: string;
    required?: boolean;
  },
) {
  const { id, label, hint, error } = props;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select
        id={id}
        name={id}
        value={props.value}
        required={props.required}
        onChange={(e) => props.onChange(e.currentTarget.value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, hint, error)}
      >
        {props.placeholder !== undefined && <option value="">{props.placeholder}</option>}
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Help id={id} hint={hint} error={error} />
    </div>
  );
}

export function Checkbox({
  id,
  label,
  checked,
  onChange,
}: {
  id: string;
  /** Text, or markup such as a name people typed inside <bdi>. */
  label: ComponentChildren;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label class="check" for={id}>
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
      <span>{label}</span>
    </label>
  );
}

/** A group of checkboxes or fields under one legend. */
export function FieldGroup({
  legend,
  error,
  children,
}: {
  legend: string;
  error?: string;
  children: ComponentChildren;
}) {
  return (
    <fieldset class="field-group">
      <legend>{legend}</legend>
      {children}
      {error && <p class="field-error">{error}</p>}
    </fieldset>
  );
}
