/**
 * Import lists: an admin brings in the sites, participants and group
 * rosters a programme already keeps. Choose what the file lists, download the
 * template in one's language (CSV or an Excel workbook), choose the file
 * (either); a dry run reports every
 * row's problems by row and column; then import it all, or only its good
 * rows. Nothing is written before the admin says so.
 */
import { useState } from 'preact/hooks';
import { sendFile } from '../api/client';
import { formatNumber, language, t } from '../i18n/staff';
import { useStore } from '../store';
import { describeError } from '../ui/errors';
import { SelectField } from '../ui/fields';
import { Notice } from '../ui/Notice';
import {
  applyChoice,
  columnLabel,
  contentTypeOf,
  IMPORT_KINDS,
  type ImportKind,
  type ImportReport,
  importPath,
  problemText,
  templateHref,
  XLSX_TYPE,
} from './imports';

type State =
  | { step: 'choose' }
  | { step: 'checking' }
  | { step: 'checked'; file: File; report: ImportReport }
  | { step: 'importing'; file: File; report: ImportReport }
  | { step: 'done'; report: ImportReport }
  | { step: 'failed'; message: string };

export function ImportScreen() {
  const lang = useStore(language);
  const [kind, setKind] = useState<ImportKind>('participants');
  const [state, setState] = useState<State>({ step: 'choose' });
  const n = (value: number) => formatNumber(value, lang);

  const check = async (file: File) => {
    setState({ step: 'checking' });
    try {
      const report = await sendFile<ImportReport>(importPath(kind, 'dry_run'), file, contentTypeOf(file));
      setState({ step: 'checked', file, report });
    } catch (error) {
      setState({ step: 'failed', message: describeError(error).message });
    }
  };

  const apply = async (file: File, report: ImportReport) => {
    setState({ step: 'importing', file, report });
    try {
      const done = await sendFile<ImportReport>(
        importPath(kind, 'apply', applyChoice(report) === 'good_rows'),
        file,
        contentTypeOf(file),
      );
      setState(
        done.written || done.error === undefined
          ? { step: 'done', report: done }
          : { step: 'checked', file, report: done },
      );
    } catch (error) {
      setState({ step: 'failed', message: describeError(error).message });
    }
  };

  const report = state.step === 'checked' || state.step === 'importing' ? state.report : null;
  return (
    <>
      <h1>{t('import_title')}</h1>
      <p class="muted">{t('import_intro')}</p>
      <SelectField
        id="import-kind"
        label={t('import_kind')}
        value={kind}
        options={IMPORT_KINDS.map((k) => ({ value: k, label: t(`import_kind_${k}`) }))}
        onChange={(value) => {
          setKind(value as ImportKind);
          setState({ step: 'choose' });
        }}
      />
      <p>
        <a href={templateHref(kind, lang)} download class="button button-secondary" data-testid="import-template">
          {t('import_template')}
        </a>{' '}
        <a
          href={templateHref(kind, lang, 'xlsx')}
          download
          class="button button-secondary"
          data-testid="import-template-xlsx"
        >
          {t('import_template_xlsx')}
        </a>
      </p>
      <div class="field">
        <label for="import-file">{t('import_file')}</label>
        <input
          id="import-file"
          type="file"
          accept={`.csv,text/csv,.xlsx,${XLSX_TYPE}`}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) void check(file);
          }}
        />
      </div>
      {state.step === 'checking' && <p class="loading">{t('import_checking')}</p>}
      {state.step === 'failed' && <Notice kind="error">{state.message}</Notice>}
      {state.step === 'done' && (
        <Notice kind="success">
          <span data-testid="import-done">
            {t('import_done', { new: n(state.report.new), already: n(state.report.already_imported) })}
          </span>
        </Notice>
      )}
      {state.step === 'done' && state.report.passwords && state.report.passwords.length > 0 && (
        <section aria-labelledby="import-passwords-title">
          <h2 id="import-passwords-title">{t('import_passwords_title')}</h2>
          <p class="muted">{t('import_passwords_hint')}</p>
          <div class="table-scroll">
            <table class="site-table" data-testid="import-passwords">
              <tbody>
                {state.report.passwords.map((p) => (
                  <tr key={p.login}>
                    <td dir="ltr">{p.login}</td>
                    <td dir="ltr">{p.password}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {report && (
        <section aria-labelledby="import-report-title" data-testid="import-report">
          <h2 id="import-report-title">{t('import_report_title')}</h2>
          <p>
            {t('import_summary', {
              rows: n(report.rows),
              new: n(report.new),
              already: n(report.already_imported),
              bad: n(report.bad_rows),
            })}
          </p>
          {report.problems.length > 0 && (
            <div class="table-scroll">
              <table class="site-table" data-testid="import-problems">
                <thead>
                  <tr>
                    <th scope="col">{t('import_row')}</th>
                    <th scope="col">{t('import_column')}</th>
                    <th scope="col">{t('import_reason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.problems.map((p) => (
                    <tr key={`${p.row}-${p.column}-${p.code}`}>
                      <td>{n(p.row)}</td>
                      <td>{columnLabel(p.column)}</td>
                      <td>{problemText(p)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {applyChoice(report) === 'nothing' ? (
            <p class="muted">{t('import_nothing_to_do')}</p>
          ) : (
            <button
              type="button"
              class="button button-wide"
              disabled={state.step === 'importing'}
              onClick={() => state.step === 'checked' && void apply(state.file, state.report)}
            >
              {applyChoice(report) === 'all' ? t('import_apply') : t('import_apply_good_rows')}
            </button>
          )}
        </section>
      )}
    </>
  );
}
