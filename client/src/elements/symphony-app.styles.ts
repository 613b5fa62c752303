// The app shell's CSS: header, main, footer, banners and notices, and how they fold at small widths.
import { css } from 'lit';

/** The styles of `<symphony-app>`, after the shared ones. */
export const symphonyAppStyles = css`
  :host {
    display: grid;
    grid-template-rows: auto 1fr auto;
    /* One column as wide as the window, never as wide as its widest content. */
    grid-template-columns: minmax(0, 1fr);
    height: 100vh;
    height: 100dvh;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.5rem 1rem;
    padding: 0.5rem 1rem;
    background: var(--sy-surface);
    border-bottom: 1px solid var(--sy-border);
  }
  .brand {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    font-weight: 700;
    color: inherit;
    text-decoration: none;
    border-radius: 4px;
  }
  .brand svg {
    width: 1.5rem;
    height: 1.5rem;
  }
  .spacer {
    flex: 1;
  }
  /* A phone: the logo alone says where you are; the header keeps its controls. */
  @media (max-width: 30rem) {
    header {
      padding: 0.4rem 0.75rem;
      gap: 0.4rem 0.6rem;
    }
    .brand-name {
      display: none;
    }
  }
  main {
    min-height: 0;
    overflow: auto;
  }
  main.doc {
    overflow: hidden;
  }
  footer {
    display: flex;
    flex-wrap: wrap;
    gap: 0.15rem 1.25rem;
    padding: 0.35rem 1rem;
    font-size: 0.75rem;
    color: var(--sy-muted);
    border-top: 1px solid var(--sy-border);
    background: var(--sy-surface);
  }
  .notice {
    position: fixed;
    left: 50%;
    bottom: 2.5rem;
    transform: translateX(-50%);
    max-width: min(36rem, calc(100vw - 2rem));
    padding: 0.65rem 1rem;
    border-radius: var(--sy-radius);
    background: #1f2328;
    color: #fff;
    box-shadow: var(--sy-shadow);
    display: flex;
    gap: 1rem;
    align-items: center;
  }
  .banner {
    padding: 0.6rem 1rem;
    background: var(--sy-warn-bg);
    border-bottom: 1px solid var(--sy-border);
    display: flex;
    gap: 1rem;
    align-items: center;
  }
  .banner.info {
    background: var(--sy-hover);
  }
  .overlay {
    position: fixed;
    inset: 0;
    z-index: 20;
    background: rgba(15, 20, 25, 0.45);
    overflow: auto;
  }
  .notice.error {
    background: var(--sy-danger);
  }
  .notice button {
    color: inherit;
    background: transparent;
    border-color: rgba(255, 255, 255, 0.5);
    padding: 0.2em 0.6em;
  }
`;
