/**
 * The staff screens of referrals (issue 17), loaded on demand: keeping the
 * service directory and the referral figures.
 */
import type { Me } from '../../api/types';
import { matchRoute } from '../../router';
import { DirectoryKeep, OrganisationScreen, ServiceScreen } from './DirectoryKeep';
import { ReferralFiguresScreen } from './ReferralFigures';

export default function ReferralStaff({ path, me }: { path: string; me: Me }) {
  if (path === '/referrals/figures') return <ReferralFiguresScreen />;
  const newService = matchRoute('/directory/organisations/:id/services/new', path);
  if (newService) return <ServiceScreen me={me} organisationId={Number(newService.id)} />;
  const organisation = matchRoute('/directory/organisations/:id', path);
  if (organisation)
    return <OrganisationScreen me={me} id={organisation.id === 'new' ? undefined : Number(organisation.id)} />;
  const service = matchRoute('/directory/services/:id', path);
  if (service) return <ServiceScreen me={me} id={Number(service.id)} />;
  return <DirectoryKeep me={me} />;
}

/** The staff catalogue in the language shown, awaited before these screens show (ui/lazy.tsx). */
export { staffStringsReady as ready } from '../../i18n/staff';
