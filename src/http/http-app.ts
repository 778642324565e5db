import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { LoggerService } from '@nestjs/common';
import type { AppLogger } from '../ports/logger.port.js';
import type { Config, ConfiguredApiKey } from '../config/config.js';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from '../app.module.js';
import { PinoLoggerService } from '../adapters/logging/pino-logger.js';
import { Lifecycle } from '../lifecycle/lifecycle.js';
import { PrometheusMetrics } from '../adapters/metrics/prometheus-metrics.js';
import { setupOpenApi } from './openapi/openapi.js';
import { toProblem } from './problem.filter.js';
import { answerClientErrors, cors, methodNotAllowed, refuseBadText } from './http-edges.js';
import { checkJsonBytes } from './json-body-check.js';
import { consoleAssets } from './console.js';
import { sendProblem } from './problem.js';
import { correlationMiddleware, JSON_TYPES, jsonOnlyMiddleware } from './request-context.js';

/**
 * Builds the Nest HTTP application with every adapter (AppModule imports CoreModule); the lifecycle it
 * returns starts the background work and is stopped by `app.close()`. Used by main.ts.
 */
export async function createHttpApp(
  config: Config,
  apiKeys: ConfiguredApiKey[],
  logger: LoggerService | false,
  appLogger: AppLogger,
): Promise<{ app: NestExpressApplication; lifecycle: Lifecycle }> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config, appLogger, apiKeys), {
    bodyParser: false,
    logger: logger === false ? false : logger,
    abortOnError: false,
  });
  const lifecycle = app.get(Lifecycle);
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const trustProxy = config.trustProxy;
  if (trustProxy) app.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy);
  app.use(correlationMiddleware);
  app.use(app.get(PrometheusMetrics).httpMiddleware());
  if (logger instanceof PinoLoggerService) app.use(logger.accessLog());
  const router = () => app.getHttpAdapter().getInstance().router;
  app.use(cors(config.corsOrigins)); // before the 204 of a preflight, so that it carries the CORS headers
  app.use(methodNotAllowed(router)); // it names the route for the answers the edges give
  app.use(refuseBadText(router)); // NUL or not UTF-8 in the path, the query or a header that reaches SQL
  app.use(consoleAssets()); // GET /console: the operator console's static files, no key
  app.use(jsonOnlyMiddleware);
  // Depth and duplicate member names are checked on the raw text, before anything walks the parsed value
  // (Nest's type leaves `verify` out, but passes it on to body-parser when rawBody is off).
  const verify = (_req: unknown, _res: unknown, raw: Buffer) => checkJsonBytes(raw);
  const options = { limit: config.bodyLimitBytes, strict: true, verify, type: JSON_TYPES };
  app.useBodyParser('json', options);
  setupOpenApi(app); // GET /openapi.json and /docs
  await app.init();
  // Errors raised before routing (body-parser's 400 and 413) never reach Nest's filters.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) =>
    sendProblem(res, toProblem(error), req.originalUrl?.slice(0, 200)),
  );
  answerClientErrors(app.getHttpServer());
  // No enableShutdownHooks(): Nest would close the app and then re-raise the signal, killing the process
  // before the lifecycle drains. main.ts owns SIGTERM/SIGINT.
  return { app, lifecycle };
}
