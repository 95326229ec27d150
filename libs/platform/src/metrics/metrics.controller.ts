import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { register } from 'prom-client';
import { MetricsExposition } from './metrics-exposition';

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly exposition: MetricsExposition) {}

  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return this.exposition.render();
  }
}
