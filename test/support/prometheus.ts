import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** Samples of a scrape by series (`name` and its labels), parsed with a Prometheus text format parser. */
export class Scrape {
  private constructor(
    readonly families: Map<string, { type: string; help: string }>,
    private readonly samples: Array<{ name: string; labels: Record<string, string>; value: number }>,
  ) {}

  static parse(text: string): Scrape {
    const families = new Map<string, { type: string; help: string }>();
    for (const { name, type, help } of parsePrometheusTextFormat(text)) families.set(name, { type, help });
    // parse-prometheus-text-format folds every series of a histogram into one (it handles unlabelled
    // histograms only), so histograms are read a second time as untyped: each `_bucket`, `_sum` and
    // `_count` series then keeps its labels. The text itself is parsed, and checked, as it was served.
    const untyped = text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped');
    const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
    for (const family of parsePrometheusTextFormat(untyped)) {
      for (const sample of family.metrics) {
        samples.push({ name: family.name, labels: sample.labels ?? {}, value: Number(sample.value) });
      }
    }
    return new Scrape(families, samples);
  }

  /** The sum of the series of `name` whose labels include `labels` (0 when there is none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.matching(name, labels).reduce((sum, s) => sum + s.value, 0);
  }

  has(name: string, labels: Record<string, string> = {}): boolean {
    return this.matching(name, labels).length > 0;
  }

  private matching(name: string, labels: Record<string, string>) {
    return this.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  }
}

export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  const type = res.headers.get('content-type');
  if (!type?.startsWith('text/plain; version=0.0.4')) throw new Error(`GET ${url}: content type ${type}`);
  return Scrape.parse(await res.text());
}
