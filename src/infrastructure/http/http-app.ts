import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppModule } from '../../app.module.js';
import { PinoLoggerService } from '../logging/pino-logger.js';
import type { Runtime } from '../runtime.js';
import { setupOpenApi } from './openapi/openapi.js';
import { toProblem } from './problem.filter.js';
import { sendProblem } from './problem.js';
import { correlationMiddleware, jsonOnlyMiddleware } from './request-context.js';

/** Builds the Nest HTTP application over a runtime (used by main.ts and the e2e tests). */
export async function createHttpApp(runtime: Runtime, apiKeys: Array<{ id?: string; secret: string }>, logger: LoggerService | false): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRuntime(runtime, apiKeys), {
    bodyParser: false,
    logger: logger === false ? false : logger,
  });
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const trustProxy = runtime.config.trustProxy;
  if (trustProxy) app.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy);
  app.use(correlationMiddleware);
  app.use(runtime.metrics.httpMiddleware());
  if (logger instanceof PinoLoggerService) app.use(logger.accessLog());
  app.use(jsonOnlyMiddleware);
  app.useBodyParser('json', { limit: runtime.config.bodyLimitBytes, strict: true });
  setupOpenApi(app); // GET /openapi.json and /docs
  await app.init();
  // Errors raised before routing (body-parser's 400 and 413) never reach Nest's filters.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => sendProblem(res, toProblem(error), req.originalUrl?.slice(0, 200)));
  app.enableShutdownHooks();
  return app;
}
