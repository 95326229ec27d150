import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ReadinessRegistry } from './readiness.registry';

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessRegistry) {}

  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  /**
   * 200 only when what this process needs for its public job answers (`checks`); 503 tells the
   * balancer to look elsewhere. `components` (e.g. the tracker's app processes) are reported
   * without gating it (SPEC section 4, Operations).
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const [checks, components] = await Promise.all([
      this.readiness.run(),
      this.readiness.runComponents(),
    ]);
    const ready = Object.values(checks).every((result) => result === 'up');
    reply.status(ready ? 200 : 503);
    return {
      status: ready ? 'ok' : 'unavailable',
      checks,
      ...(Object.keys(components).length > 0 ? { components } : {}),
    };
  }
}
