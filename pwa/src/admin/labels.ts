/** Translated option lists shared by the admin forms. */
import type { Area, Role, SiteKind } from '../api/types';
import { ROLES, SITE_KINDS } from '../api/types';
import { LANGUAGES, languageLabel, localName, t } from '../i18n/staff';
import type { Option } from '../ui/fields';

export const kindLabel = (kind: SiteKind): string => t(`kind_${kind}`);
export const roleLabel = (role: Role): string => t(`role_${role}`);

export const kindOptions = (): Option[] => SITE_KINDS.map((kind) => ({ value: kind, label: kindLabel(kind) }));
export const roleOptions = (): Option[] => ROLES.map((role) => ({ value: role, label: roleLabel(role) }));
export const languageOptions = (): Option[] => LANGUAGES.map((lang) => ({ value: lang, label: languageLabel(lang) }));

/** Areas sorted by their name in the current language. */
export function areaOptions(areas: Area[]): Option[] {
  return areas
    .map((area) => ({ value: String(area.id), label: localName(area) }))
    .sort((a, b) => a.label.localeCompare(b.label));
}
