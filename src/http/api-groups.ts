import { applyDecorators, Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiGroup, ApiProblems } from './openapi/openapi.js';

/**
 * A controller of a published API group: its OpenAPI tag, the problems any of its routes may answer, and the
 * group its operationIds are named by (`<group>_<method>`, see ApiGroup), whichever controller serves the route.
 */
function apiGroup(tag: string, group: string): ClassDecorator {
  return applyDecorators(ApiTags(tag), ApiProblems(401, 403, 429, 503), ApiGroup(group), Controller());
}

/** Request, retry, view, tear down, history, list. */
export const SchoolsApi = () => apiGroup('schools', 'SchoolsController');
/** A school's life after its creation: its details changed, suspended and resumed, restored once deleted. */
export const SchoolLifecycleApi = () => apiGroup('schools', 'SchoolLifecycleController');
/** A school's database credentials read. */
export const CredentialsApi = () => apiGroup('schools', 'CredentialsController');
/** The reporting projections' answers, and the projections' own state. */
export const ReportsApi = () => apiGroup('reports', 'ReportsController');
