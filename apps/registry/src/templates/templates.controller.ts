import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { INTEGRATION_TEMPLATES } from '@tracker/contracts';
import { ApiKeyGuard } from '@tracker/directory';
import { TemplateResponse } from './template.dto';

@ApiTags('integrations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@UseGuards(ApiKeyGuard)
@Controller('api/integration-templates')
export class TemplatesController {
  @Get()
  @ApiOperation({ summary: 'Ready-made integrations (Pocket Option RevShare v1/v2, custom)' })
  @ApiOkResponse({ type: [TemplateResponse] })
  list(): TemplateResponse[] {
    return INTEGRATION_TEMPLATES.map((template) => ({
      id: template.id,
      name: template.name,
      clickIdParam: template.clickIdParam,
      amountParam: template.amountParam,
      defaultCurrency: template.defaultCurrency,
      fieldParams: { ...template.fieldParams },
      events: template.events.map((event) => ({
        name: event.name,
        label: event.label,
        kind: event.kind,
        params: { ...event.params },
      })),
    }));
  }
}
