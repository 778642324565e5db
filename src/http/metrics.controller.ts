import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { Public } from './api-key.guard.js';
import { ApiProblems } from './openapi/openapi.js';

/** GET /metrics for Prometheus, without a key like /health (unless SCS_METRICS_PORT moves it off this port). */
@ApiTags('operations')
@Controller()
export class MetricsController {
  constructor(@Inject(PrometheusMetrics) private readonly metrics: PrometheusMetrics) {}

  @ApiOperation({ summary: 'Prometheus metrics, text format (no key); see docs/OPERATIONS.md' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, schema: { type: 'string' } })
  @ApiProblems(429)
  @Public()
  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.text();
    res.status(200).type(contentType).send(body);
  }
}
