import { Controller, Delete, Get } from '@nestjs/common';
import { HTTP_CONTROLLERS } from '../../src/http/controllers.js';
import { Public, RequireScope } from '../../src/http/api-key.guard.js';
import { MetricsController } from '../../src/http/metrics.controller.js';
import { assertScopesDeclared, routeTable } from '../../src/http/route-table.js';

@Controller('things')
class Declared {
  @RequireScope('schools:read')
  @Get(':id')
  read() {}
  @Public()
  @Get()
  list() {}
}

@Controller()
class Forgotten {
  @Delete('things/:id')
  remove() {}
}

describe('route table', () => {
  it("reads each route's method, path and declared access from Nest's metadata", () => {
    expect(routeTable([Declared])).toEqual([
      { method: 'GET', path: '/things/:id', handler: 'read', access: 'schools:read' },
      { method: 'GET', path: '/things', handler: 'list', access: 'public' },
    ]);
  });

  it('refuses an application with a route that declares no scope, naming it', () => {
    expect(() => assertScopesDeclared([Declared, Forgotten])).toThrow(/these do not: DELETE \/things\/:id \(remove\)/);
  });

  it("every route of SCS's controllers declares what it needs", () => {
    const table = routeTable([...HTTP_CONTROLLERS, MetricsController]);
    expect(table.filter((route) => route.access === undefined)).toEqual([]);
    expect(() => assertScopesDeclared([...HTTP_CONTROLLERS, MetricsController])).not.toThrow();
  });
});
