/** The outbox line names what waits by kind, in each language's plural forms. */
import { beforeAll, describe, expect, it } from 'vitest';
import { language, loadCatalogue } from '../i18n';
import type { OutboxCounts } from '../sync/outbox';
import { waitingText } from './waiting';

const counts = (record: number, participant: number, group = 0, referral = 0): OutboxCounts => ({
  waiting: record + participant + group + referral,
  conflict: 0,
  rejected: 0,
  waitingByKind: { record, participant, group, referral },
});

beforeAll(async () => {
  await loadCatalogue('ar');
  await loadCatalogue('ckb');
  await loadCatalogue('kmr');
});

describe('the outbox line', () => {
  it('counts records, people and groups separately', () => {
    language.set('en');
    expect(waitingText(counts(2, 1))).toBe('2 records, 1 person waiting to send');
    expect(waitingText(counts(0, 3, 1))).toBe('3 people, 1 group waiting to send');
    expect(waitingText(counts(1, 0))).toBe('1 record waiting to send');
    expect(waitingText(counts(0, 0))).toBe('Nothing waiting to send');
  });

  it('agrees in Arabic and Sorani', () => {
    language.set('ar');
    expect(waitingText(counts(2, 1))).toBe('سجلان، شخص واحد بانتظار الإرسال');
    language.set('ckb');
    expect(waitingText(counts(0, 1))).toBe('یەک کەس چاوەڕێی ناردنە');
    expect(waitingText(counts(3, 0))).toBe('٣ تۆمار چاوەڕێی ناردنن');
    language.set('en');
  });

  it('agrees in Kurmanji', () => {
    language.set('kmr');
    expect(waitingText(counts(0, 1))).toBe('ئێک کەس ل بەندا هنارتنێ یە');
    expect(waitingText(counts(3, 0, 0, 1))).toBe('٣ تۆمار، ئێک ڕەوانەکرن ل بەندا هنارتنێ نە');
    language.set('en');
  });
});
