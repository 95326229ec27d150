/**
 * The API key lives in sessionStorage: it stays for the tab, leaves with it, and never goes
 * into a URL, a query key or a log line.
 */
const KEY = 'tracker.apiKey';

export function readApiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveApiKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(KEY);
}
