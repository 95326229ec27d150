import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsPartnerUrl } from '../validation/registry-validators';
import { baseUrlProblem, MAX_BASE_URL_LENGTH } from './final-url';

export class CreateRegistrationLinkDto {
  @ApiProperty({ example: 'Main', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({
    example:
      'https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123',
    maxLength: MAX_BASE_URL_LENGTH,
    description: 'The partner link: an absolute http(s) URL.',
  })
  @IsPartnerUrl(baseUrlProblem)
  baseUrl: string;
}

export class RegistrationLinkResponse {
  @ApiProperty({ example: 'aZ3kP9qLmN2xW7tB', description: '16 random base62 characters.' })
  id: string;

  @ApiProperty({ example: 'Main' })
  name: string;

  @ApiProperty()
  baseUrl: string;

  @ApiProperty({
    example:
      'https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123&click_id={{tracker.clickid}}',
    description: 'baseUrl with the click id parameter set to the literal {{tracker.clickid}}.',
  })
  finalUrl: string;

  @ApiProperty({ example: 'https://tracker.example/r/aZ3kP9qLmN2xW7tB' })
  trackingUrl: string;
}

export class RegistrationLinkListResponse {
  @ApiProperty({ type: [RegistrationLinkResponse] })
  items: RegistrationLinkResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next page; null on the last page.',
  })
  nextCursor: string | null;
}
