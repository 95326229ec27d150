import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class CreateAccountDto {
  @ApiProperty({ example: 'Team A', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;
}

export class CreatedAccountResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Team A' })
  name: string;

  @ApiProperty({ description: 'The API key; shown once, only its hash is stored.' })
  apiKey: string;
}

/** `GET /api/account`: the caller's account (SPEC section 4). */
export class AccountResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Team A' })
  name: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
