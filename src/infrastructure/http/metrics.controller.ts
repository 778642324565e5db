import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PrometheusMetrics } from '../metrics/prometheus-metrics.js';
import { Public } from './api-key.guard.js';

/** GET /metrics for Prometheus, without a key like /health (unless SCS_METRICS_PORT moves it off this port). */
@Controller()
export class MetricsController {
  constructor(@Inject(PrometheusMetrics) private readonly metrics: PrometheusMetrics) {}

  @Public()
  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.text();
    res.status(200).type(contentType).send(body);
  }
}
