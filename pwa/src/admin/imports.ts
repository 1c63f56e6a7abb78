/**
 * Importing a programme's lists (server: POST /api/imports/{kind}): the
 * report's types, and its problems in the reader's language. The server
 * names each problem by a code and a column key; the words are ours.
 */
import type { Language } from '../api/types';
import { t } from '../i18n/staff';

export const IMPORT_KINDS = ['sites', 'users', 'participants', 'groups'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ImportProblem {
  row: number;
  column: string;
  code: string;
  message: string;
}

export interface ImportReport {
  error?: string;
  dry_run: boolean;
  rows: number;
  bad_rows: number;
  problems: ImportProblem[];
  new: number;
  already_imported: number;
  written: boolean;
  /** Accounts an applied users file made, each with its password, shown this once. */
  passwords?: { row: number; login: string; password: string }[];
}

const PROBLEM_CODES = [
  'not_utf8',
  'empty_file',
  'duplicate_column',
  'missing_column',
  'too_many_rows',
  'unreadable_row',
  'unsafe_text',
  'too_long',
  'missing_value',
  'bad_choice',
  'out_of_range',
  'bad_date',
  'bad_code',
  'unknown_site',
  'unknown_activity_type',
  'unknown_member',
  'duplicate_row',
  'conflicting_group',
  'group_deleted',
  'refused',
  'unknown_area',
  'bad_value',
] as const;
type ProblemCode = (typeof PROBLEM_CODES)[number];

const COLUMNS = [
  'id',
  'site_code',
  'given_name',
  'sex',
  'birth_year',
  'disability',
  'displacement',
  'registered_on',
  'group_name',
  'activity_type',
  'member_id',
  'member_code',
  'joined_on',
  'partner',
  'area_pcode',
  'site_name',
  'kind',
  'login',
  'display_name',
  'role',
  'language',
  'site_codes',
] as const;
type ColumnKey = (typeof COLUMNS)[number];

const isProblemCode = (code: string): code is ProblemCode => (PROBLEM_CODES as readonly string[]).includes(code);
const isColumn = (key: string): key is ColumnKey => (COLUMNS as readonly string[]).includes(key);

/** The column as the reader knows it: its name in their language, or the file's key. */
export function columnLabel(key: string): string {
  if (key === '') return '—';
  return isColumn(key) ? t(`import_col_${key}`) : key;
}

/** Why the row is bad, in the reader's words; the server's English for a code this app does not know. */
export function problemText(problem: ImportProblem): string {
  return isProblemCode(problem.code) ? t(`import_problem_${problem.code}`) : problem.message;
}

/** What applying the file will do: import it all, only its good rows, or nothing. */
export function applyChoice(report: ImportReport): 'all' | 'good_rows' | 'nothing' {
  if (report.new === 0) return 'nothing';
  return report.bad_rows === 0 ? 'all' : 'good_rows';
}

/** The query of an import request. */
export function importPath(kind: ImportKind, mode: 'dry_run' | 'apply', acceptGoodRows = false): string {
  const accept = acceptGoodRows ? '&accept_good_rows=true' : '';
  return `/imports/${kind}?mode=${mode}${accept}`;
}

/** The content type of an XLSX workbook. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Where the template in `lang` is downloaded from, as CSV or as a workbook. */
export function templateHref(kind: ImportKind, lang: Language, format: 'csv' | 'xlsx' = 'csv'): string {
  const as = format === 'xlsx' ? '&format=xlsx' : '';
  return `/api/imports/${kind}/template?language=${lang}${as}`;
}

/** How a chosen file is sent: a workbook by its type or its name, anything else as CSV. */
export function contentTypeOf(file: { name: string; type: string }): string {
  return file.type === XLSX_TYPE || file.name.toLowerCase().endsWith('.xlsx') ? XLSX_TYPE : 'text/csv';
}
