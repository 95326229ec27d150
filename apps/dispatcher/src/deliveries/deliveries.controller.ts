import { Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountChangedPayload } from '@tracker/contracts';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { UuidParam } from '@tracker/platform';
import { DeliveriesQuery } from './deliveries.query';
import { DeliveryDetail, DeliveryItem, DeliveryPage, ListDeliveriesQuery } from './delivery.dto';

@ApiTags('deliveries')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@UseGuards(ApiKeyGuard)
@Controller('api/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesQuery) {}

  @Get()
  @ApiOperation({ summary: 'Outgoing postback deliveries, newest first (keyset pages)' })
  @ApiOkResponse({ type: DeliveryPage })
  @ApiBadRequestResponse({ description: 'A filter fails its format (named).' })
  list(
    @CurrentAccount() account: AccountChangedPayload,
    @Query() query: ListDeliveriesQuery,
  ): Promise<DeliveryPage> {
    return this.deliveries.list(account.id, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One delivery with every attempt (history)' })
  @ApiOkResponse({ type: DeliveryDetail })
  @ApiNotFoundResponse({ description: 'No such delivery in this account.' })
  get(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
  ): Promise<DeliveryDetail> {
    return this.deliveries.get(account.id, id);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a failed delivery again (same request, same Idempotency-Key)' })
  @ApiOkResponse({ type: DeliveryItem })
  @ApiNotFoundResponse({ description: 'No such delivery in this account.' })
  @ApiConflictResponse({
    description: 'The delivery is not failed, or its destination is disabled or deleted.',
  })
  retry(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
  ): Promise<DeliveryItem> {
    return this.deliveries.retry(account.id, id);
  }
}
