// Every sentence the UI shows comes from one catalogue per language (en.ts is the reference: a
// clinic adds a language by copying it, translating the values and registering it here). Values may
// hold {name} placeholders, filled from the second argument of t().
import { en, type MessageKey } from './en';

export type { MessageKey };
type Catalogue = Record<MessageKey, string>;

const catalogues: Record<string, Catalogue> = { en };
let current: Catalogue = en;

export function setLanguage(language: string): void {
  current = catalogues[language] ?? en;
  document.documentElement.lang = catalogues[language] ? language : 'en';
}

export function t(key: MessageKey, values?: Record<string, string | number>): string {
  const text = current[key] ?? en[key];
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (match, name: string) =>
    values[name] === undefined ? match : String(values[name]),
  );
}

// Numbers as the clinic reads them (decimal separator of the language).
export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toLocaleString(document.documentElement.lang || 'en', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '–';
  return iso.slice(0, 10);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  return iso.replace('T', ' ').slice(0, 16);
}
