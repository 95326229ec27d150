import { Controller, Get, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { DESTINATION_TEMPLATES } from '@tracker/destinations';
import { ApiKeyGuard } from '@tracker/directory';
import { DestinationTemplateResponse } from './destination.dto';

@ApiTags('destinations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@UseGuards(ApiKeyGuard)
@Controller('api/destination-templates')
export class DestinationTemplatesController {
  @Get()
  @ApiOperation({
    summary: 'Ready destinations: S2S GET postback, Facebook CAPI, TikTok, Telegram',
  })
  @ApiOkResponse({ type: [DestinationTemplateResponse] })
  list(): DestinationTemplateResponse[] {
    return DESTINATION_TEMPLATES.map((template) => ({
      id: template.id,
      name: template.name,
      method: template.method,
      url: template.url,
      headers: { ...template.headers },
      body: template.body,
      stages: [...template.stages],
    }));
  }
}
