/** Small controls of the staff screens: a day picker and a two-or-more-way switch. */

import { formatInputDate } from '../i18n/format';
import { language } from '../i18n/staff';
import { DateSaid } from '../ui/fields';

/** A calendar day (the phone's own date picker); the value is always YYYY-MM-DD. */
export function DayField({
  id,
  label,
  value,
  onChange,
  error,
  type = 'date',
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  type?: 'date' | 'month';
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        type={type}
        dir="ltr"
        value={value}
        onInput={(e) => onChange(e.currentTarget.value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={
          [formatInputDate(value, language.get()) ? `${id}-said` : '', error ? `${id}-error` : ''].join(' ').trim() ||
          undefined
        }
      />
      <DateSaid id={id} value={value} />
      {error && (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A row of buttons of which one is pressed (aria-pressed), each at least 48 px. */
export function Segmented({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (value: string) => void;
}) {
  return (
    <div class="segmented" role="group" aria-label={label}>
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          class="segmented-option"
          aria-pressed={o.value === value ? 'true' : 'false'}
          onClick={() => onChange(o.value)}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
