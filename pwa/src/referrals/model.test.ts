/** The referral form's rule (consent first), the status machine as the phone offers it, and the directory search. */
import { describe, expect, it } from 'vitest';
import type { ReferralStatus, ReferralView, ServiceData } from './model';
import { appendPage, checkReferral, emptyReferral, findServices, nextSteps, replaceReferral, stepsFrom } from './model';

const NOW = new Date(2026, 10, 20, 10, 0); // 20 November 2026
const CODE = 'K7M0019';

describe('a referral draft', () => {
  it('asks for consent before anything else: without it nothing is checked or made', () => {
    const draft = { ...emptyReferral(CODE, 3, NOW), service_id: '12' };
    expect(checkReferral(draft, NOW)).toEqual({ ok: false, errors: { consent: 'referral_no_consent' } });
    expect(checkReferral({ ...emptyReferral('', undefined, NOW) }, NOW)).toEqual({
      ok: false,
      errors: { consent: 'referral_no_consent' },
    });
  });

  it('with consent, needs a person, a site, a service, and a date of this year past', () => {
    const draft = { ...emptyReferral('', undefined, NOW), consent: true, referred_on: '2026-11-21' };
    const result = checkReferral(draft, NOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      person: 'field_one_participant',
      site: 'field_required',
      service: 'field_required',
      referred_on: 'field_date',
    });
    expect(
      checkReferral({ ...draft, code: CODE, site_id: '3', service_id: '12', referred_on: '2025-11-01' }, NOW).ok,
    ).toBe(false);
  });

  it('sends the code, site, service, date, urgency and consent, nothing more', () => {
    const draft = { ...emptyReferral('k7m-0019', 3, NOW), consent: true, service_id: '12', urgency: 'urgent' as const };
    expect(checkReferral(draft, NOW)).toEqual({
      ok: true,
      value: {
        participant_code: CODE,
        site_id: 3,
        service_id: 12,
        referred_on: '2026-11-20',
        urgency: 'urgent',
        consent: true,
      },
    });
  });
});

describe('the status machine', () => {
  it('offers only the steps the server takes', () => {
    expect(nextSteps('referred')).toEqual(['accepted', 'declined']);
    expect(nextSteps('accepted')).toEqual(['service_received', 'not_reached']);
    expect(nextSteps('declined')).toEqual(['closed']);
    expect(nextSteps('service_received')).toEqual(['closed']);
    expect(nextSteps('not_reached')).toEqual(['closed']);
    expect(nextSteps('closed')).toEqual([]);
  });
});

describe('the directory', () => {
  const service = (
    id: number,
    category: ServiceData['category'],
    name: string,
    org: string,
    active = true,
  ): ServiceData => ({
    id,
    organisation_id: id,
    organisation_name: org,
    category,
    name,
    area_id: 1,
    languages: ['ar'],
    active,
  });
  const all = [
    service(1, 'legal_aid', 'Legal counselling', 'Justice Centre'),
    service(2, 'specialised_mhpss', 'Psychiatry clinic', 'Duhok Hospital'),
    service(3, 'legal_aid', 'Civil documentation', 'Legal Aid Network'),
    service(4, 'health', 'Closed clinic', 'Gone', false),
  ];
  it('finds by kind and by a word of the service or organisation, never an inactive one', () => {
    expect(findServices(all, '', '').map((s) => s.id)).toEqual([3, 1, 2]);
    expect(findServices(all, 'legal_aid', '').map((s) => s.id)).toEqual([3, 1]);
    expect(findServices(all, '', 'hospital').map((s) => s.id)).toEqual([2]);
    expect(findServices(all, 'health', '')).toEqual([]);
  });
});

describe('the lists read from the server', () => {
  const r = (id: string, status: ReferralStatus, partner_id: number | null) =>
    ({ id, status, organisation: { id: 1, name: 'O', partner_id }, version: 1 }) as ReferralView;

  it('lets the receiving side answer, and the referring side answer only for an outside organisation', () => {
    expect(stepsFrom('received', r('a', 'referred', 2))).toEqual(['accepted', 'declined']);
    expect(stepsFrom('made', r('a', 'referred', 2))).toEqual([]);
    expect(stepsFrom('made', r('a', 'referred', null))).toEqual(['accepted', 'declined']);
    expect(stepsFrom('made', r('a', 'accepted', null))).toEqual(['service_received', 'not_reached']);
    // Either side closes what has ended.
    expect(stepsFrom('made', r('a', 'declined', 2))).toEqual(['closed']);
    expect(stepsFrom('made', r('a', 'closed', null))).toEqual([]);
  });

  it('adds an older page after the referrals shown, each once, and replaces one in place', () => {
    const shown = [r('a', 'referred', 2), r('b', 'referred', 2)];
    expect(appendPage(shown, [r('b', 'accepted', 2), r('c', 'referred', 2)]).map((x) => x.id)).toEqual(['a', 'b', 'c']);
    const moved = { ...r('b', 'accepted', 2), version: 2 };
    expect(replaceReferral(shown, moved)).toEqual([shown[0], moved]);
  });
});
