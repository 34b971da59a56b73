import { LitElement, css, html } from 'lit';
import { sharedStyles } from '../shared-styles';

const STORAGE_KEY = 'bankingcore-theme';
type Theme = 'light' | 'dark';

function systemTheme(): Theme {
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Applies the remembered theme (if any) before the first paint of the app. */
export function applyStoredTheme(): void {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'light' || stored === 'dark') document.documentElement.dataset.theme = stored;
}

/** Light/dark switch: follows the system until used, then remembers the choice in localStorage. */
export class ThemeToggle extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: inline-block;
      }
    `,
  ];

  private current(): Theme {
    const forced = document.documentElement.dataset.theme;
    return forced === 'light' || forced === 'dark' ? forced : systemTheme();
  }

  private toggle(): void {
    const next: Theme = this.current() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    localStorage.setItem(STORAGE_KEY, next);
    this.requestUpdate();
  }

  override render() {
    const dark = this.current() === 'dark';
    return html`<button class="secondary" type="button" aria-pressed=${dark ? 'true' : 'false'} @click=${this.toggle} title="Switch between light and dark">
      ${dark ? 'Dark' : 'Light'} theme
    </button>`;
  }
}
customElements.define('theme-toggle', ThemeToggle);
