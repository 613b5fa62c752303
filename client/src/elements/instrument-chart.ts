// <instrument-chart>: one chart of an instrument's calls over time, drawn by uPlot inside the
// element's shadow root (its stylesheet adopted there), resized with its container.
import { css, html, LitElement, type PropertyValues, unsafeCSS } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { type ChartPalette, chartOptions, type InstrumentChart } from '../core/instrument-charts.js';
import { sharedStyles } from '../styles/shared.js';

/** 180 px: tall enough to read a trend, short enough for four charts on a laptop screen. */
const CHART_HEIGHT = 180;

/** The page's colours (custom properties) as a canvas needs them, with a fallback for each. */
function paletteOf(element: Element): ChartPalette {
  const style = getComputedStyle(element);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--sy-text', '#1f2328'),
    muted: read('--sy-muted', '#5f6b7a'),
    grid: read('--sy-border', '#dfe3e8'),
    accent: read('--sy-accent', '#4f46e5'),
    danger: read('--sy-danger', '#c62828'),
    ok: read('--sy-ok', '#1f9d55'),
    warn: read('--sy-warn', '#d97706'),
    font: `11px ${style.fontFamily || 'system-ui, sans-serif'}`,
  };
}

/**
 * A uPlot chart of `chart` (from `instrumentCharts`): its title, the plot with a live legend
 * under it, and the chart in a sentence for screen readers. An empty series says so instead.
 */
@customElement('instrument-chart')
export class InstrumentChartElement extends LitElement {
  static override styles = [
    sharedStyles,
    unsafeCSS(uplotCss),
    css`
      :host {
        display: block;
        min-width: 0;
      }
      figure {
        margin: 0;
        padding: 0.6rem 0.75rem 0.4rem;
        border: 1px solid var(--sy-border);
        border-radius: var(--sy-radius);
        background: var(--sy-surface);
      }
      figcaption {
        font-size: 0.8125rem;
        font-weight: 600;
        margin-bottom: 0.25rem;
      }
      .plot {
        min-height: ${CHART_HEIGHT}px;
        width: 100%;
      }
      .empty {
        display: grid;
        place-items: center;
        color: var(--sy-muted);
        font-size: 0.875rem;
      }
      .uplot {
        font-family: inherit;
      }
      .u-legend {
        font-size: 0.75rem;
        text-align: left;
      }
    `,
  ];

  @property({ attribute: false }) chart: InstrumentChart | null = null;

  @query('.plot') private plotHost!: HTMLDivElement;
  private plot: uPlot | null = null;
  private resize: ResizeObserver | null = null;

  protected override render() {
    const chart = this.chart;
    if (chart === null) return null;
    const empty = (chart.data[0]?.length ?? 0) === 0;
    return html`<figure data-testid="instrument-chart" data-chart=${chart.id}>
      <figcaption>${chart.title}<span class="visually-hidden"> — ${chart.summary}</span></figcaption>
      ${empty ? html`<div class="plot empty">No calls in this window.</div>` : html`<div class="plot" aria-hidden="true"></div>`}
    </figure>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('chart')) this.draw();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.draw();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.teardown();
  }

  private teardown(): void {
    this.resize?.disconnect();
    this.resize = null;
    this.plot?.destroy();
    this.plot = null;
  }

  private draw(): void {
    this.teardown();
    const chart = this.chart;
    if (chart === null || (chart.data[0]?.length ?? 0) === 0 || this.plotHost === null) return;
    const width = Math.max(200, Math.floor(this.plotHost.clientWidth));
    const bars = uPlot.paths.bars?.({ size: [0.8, 48], align: 0 });
    if (bars === undefined) throw new Error('uPlot.paths.bars is missing: this uPlot build has no bar paths');
    const options = chartOptions(chart, { width, height: CHART_HEIGHT, palette: paletteOf(this), bars });
    this.plot = new uPlot(options, chart.data, this.plotHost);
    this.resize = new ResizeObserver(() => {
      const next = Math.max(200, Math.floor(this.plotHost.clientWidth));
      if (this.plot !== null && next !== this.plot.width)
        this.plot.setSize({ width: next, height: CHART_HEIGHT });
    });
    this.resize.observe(this.plotHost);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'instrument-chart': InstrumentChartElement;
  }
}
