// Names of the record's vocabularies (regions, modalities, scar types...) from the catalogue; an
// id the catalogue does not know yet (a clinic's own modality) is shown as its words.
import { t, type MessageKey } from './i18n';
import { en } from './i18n/en';

export function label(group: string, id: string | null | undefined): string {
  if (!id) return '–';
  const key = `${group}.${id}`;
  if (key in en) return t(key as MessageKey);
  return id.replace(/_/g, ' ');
}
