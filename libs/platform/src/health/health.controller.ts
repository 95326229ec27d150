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

  /** 200 only when Kafka and every database answer; 503 tells the balancer to look elsewhere. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks = await this.readiness.run();
    const ready = Object.values(checks).every((result) => result === 'up');
    reply.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : 'unavailable', checks };
  }
}
