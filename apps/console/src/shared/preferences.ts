import { useSyncExternalStore } from 'react';

/** The user's language and time zone, remembered in localStorage (never the API key). */
export interface Preferences {
  language: 'en' | 'ru';
  timeZone: string;
}

const STORAGE_KEY = 'tracker.preferences';
const listeners = new Set<() => void>();

function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function load(): Preferences {
  const fallback: Preferences = {
    language: navigator.language?.toLowerCase().startsWith('ru') ? 'ru' : 'en',
    timeZone: browserZone(),
  };
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Preferences>;
    return {
      language:
        stored.language === 'ru' || stored.language === 'en' ? stored.language : fallback.language,
      timeZone:
        stored.timeZone && isTimeZone(stored.timeZone) ? stored.timeZone : fallback.timeZone,
    };
  } catch {
    return fallback;
  }
}

let current = load();

/** True for an IANA zone this browser knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function preferences(): Preferences {
  return current;
}

export function setPreferences(change: Partial<Preferences>): void {
  current = { ...current, ...change };
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(current));
  } catch {
    // Private mode without storage: the choice holds for this page only.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function usePreferences(): Preferences {
  return useSyncExternalStore(subscribe, preferences);
}

/** Zones offered in pickers: the browser's list when it has one. */
export function knownTimeZones(): string[] {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] })
    .supportedValuesOf;
  const zones = supported ? supported('timeZone') : [];
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')];
}
