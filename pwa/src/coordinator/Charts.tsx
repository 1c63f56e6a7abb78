/**
 * Small SVG charts drawn by hand (no chart library: the staff chunk stays
 * small). Charts read left to right in every language, as numbers do; their
 * labels and legends follow the page's language.
 */
import { formatNumber, isRightToLeft, language, t } from '../i18n/staff';
import { useStore } from '../store';
import { niceMax, targetShare } from './logic';

const W = 320;
const H = 180;
const PAD = { top: 12, bottom: 28, start: 36, end: 8 };

export interface Bar {
  label: string;
  /** What the axis shows when it differs from the label (short month names). */
  tick?: string;
  values: number[];
}

/** Grouped vertical bars: one group per label, one bar per series. */
export function BarChart({
  title,
  bars,
  series,
}: {
  title: string;
  bars: Bar[];
  series: { name: string; class: string }[];
}) {
  const lang = useStore(language);
  const max = niceMax(Math.max(0, ...bars.flatMap((b) => b.values)));
  const plotW = W - PAD.start - PAD.end;
  const plotH = H - PAD.top - PAD.bottom;
  const groupW = bars.length ? plotW / bars.length : plotW;
  const barW = Math.max(2, (groupW * 0.8) / series.length);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  // Arabic and Sorani month names are long (no short forms): fewer labels, so they never overlap.
  const every = Math.ceil(bars.length / (isRightToLeft(lang) ? 4 : 8));
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p class="muted">{t('chart_empty')}</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title} dir="ltr">
          <line class="chart-axis" x1={PAD.start} x2={W - PAD.end} y1={y(0)} y2={y(0)} />
          {[0, max / 2, max].map((v) => (
            <text key={v} class="chart-tick" x={PAD.start - 4} y={y(v) + 4} text-anchor="end">
              {formatNumber(v, lang)}
            </text>
          ))}
          {bars.map((bar, i) =>
            bar.values.map((v, s) => (
              <rect
                key={`${i}-${s}`}
                class={`chart-bar ${series[s].class}`}
                x={PAD.start + i * groupW + groupW * 0.1 + s * barW}
                y={y(v)}
                width={barW}
                height={Math.max(0, y(0) - y(v))}
              >
                <title>{`${bar.label} · ${series[s].name}: ${formatNumber(v, lang)}`}</title>
              </rect>
            )),
          )}
          {bars.map((bar, i) =>
            i % every === 0 ? (
              <text
                key={`l${i}`}
                class="chart-tick"
                x={PAD.start + i * groupW + groupW / 2}
                y={H - 8}
                text-anchor="middle"
              >
                {bar.tick ?? bar.label}
              </text>
            ) : null,
          )}
        </svg>
      )}
      {series.length > 1 && (
        <ul class="chart-legend">
          {series.map((s) => (
            <li key={s.class}>
              <span class={`chart-swatch ${s.class}`} aria-hidden="true" />
              {s.name}
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

/**
 * Target against achieved as one horizontal bar; in Arabic and Sorani it
 * grows from the right, as the text does. An overshoot fills the bar and the
 * percent says by how much.
 */
export function TargetBar({ achieved, value, label }: { achieved: number; value: number; label: string }) {
  const { share } = targetShare(achieved, value);
  const rtl = isRightToLeft(useStore(language));
  const width = share * 100;
  return (
    <svg class="target-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={label}>
      <rect class="target-track" x={0} y={0} width={100} height={10} />
      <rect
        class={share >= 1 ? 'target-fill target-met' : 'target-fill'}
        x={rtl ? 100 - width : 0}
        y={0}
        width={width}
        height={10}
      />
    </svg>
  );
}
