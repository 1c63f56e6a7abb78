import { beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES, language, loadCatalogue } from '../i18n/staff';
import {
  applyChoice,
  columnLabel,
  contentTypeOf,
  type ImportReport,
  importPath,
  problemText,
  templateHref,
  XLSX_TYPE,
} from './imports';

// A phone loads its language's catalogue before showing it; so do these tests.
beforeAll(async () => {
  for (const lang of LANGUAGES) await loadCatalogue(lang);
});

const report = (over: Partial<ImportReport>): ImportReport => ({
  dry_run: true,
  rows: 3,
  bad_rows: 0,
  problems: [],
  new: 3,
  already_imported: 0,
  written: false,
  ...over,
});

describe('an import report', () => {
  it('offers to import all, the good rows only, or nothing', () => {
    expect(applyChoice(report({}))).toBe('all');
    expect(applyChoice(report({ bad_rows: 1, new: 2 }))).toBe('good_rows');
    expect(applyChoice(report({ bad_rows: 3, new: 0 }))).toBe('nothing');
    expect(applyChoice(report({ new: 0, already_imported: 3 }))).toBe('nothing');
  });

  it('names columns and problems in the reader’s language, the server’s words for an unknown code', () => {
    language.set('ar');
    expect(columnLabel('birth_year')).toBe('سنة الميلاد');
    expect(problemText({ row: 3, column: 'sex', code: 'bad_choice', message: 'must be female or male' })).toBe(
      'ليست من القيم المسموح بها (انظر النموذج).',
    );
    expect(problemText({ row: 3, column: 'sex', code: 'brand_new', message: 'a new rule' })).toBe('a new rule');
    expect(columnLabel('notes')).toBe('notes');
    language.set('en');
  });

  it('builds the request and the template address', () => {
    expect(importPath('groups', 'apply', true)).toBe('/imports/groups?mode=apply&accept_good_rows=true');
    expect(importPath('participants', 'dry_run')).toBe('/imports/participants?mode=dry_run');
    expect(templateHref('participants', 'ckb')).toBe('/api/imports/participants/template?language=ckb');
    expect(templateHref('groups', 'ar', 'xlsx')).toBe('/api/imports/groups/template?language=ar&format=xlsx');
  });

  it('sends a workbook as a workbook, by its type or by its name, and anything else as CSV', () => {
    expect(contentTypeOf({ name: 'list.xlsx', type: '' })).toBe(XLSX_TYPE);
    expect(contentTypeOf({ name: 'LIST.XLSX', type: 'application/octet-stream' })).toBe(XLSX_TYPE);
    expect(contentTypeOf({ name: 'list', type: XLSX_TYPE })).toBe(XLSX_TYPE);
    expect(contentTypeOf({ name: 'list.csv', type: 'application/vnd.ms-excel' })).toBe('text/csv');
  });
});
