import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { AccountChangedPayload } from '@tracker/contracts';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import { AccountDirectory } from './account.directory';
import { bearerToken, safeEqual } from './api-key-hash';

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  account?: AccountChangedPayload;
}

/** `Authorization: Bearer <apiKey>` of an enabled account, else 401 (SPEC section 4). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly accounts: AccountDirectory) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthorizedException('missing Authorization: Bearer <apiKey> header');
    const account = await this.accounts.authenticate(token);
    if (!account) throw new UnauthorizedException('invalid or revoked API key');
    request.account = account;
    return true;
  }
}

/** `Authorization: Bearer $TRACKER_ADMIN_TOKEN`, compared in constant time. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(TRACKER_CONFIG) private readonly config: RuntimeConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token || !safeEqual(token, this.config.adminToken)) {
      throw new UnauthorizedException('admin token required');
    }
    return true;
  }
}

/** The account ApiKeyGuard authenticated. */
export const CurrentAccount = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AccountChangedPayload => {
    const account = context.switchToHttp().getRequest<AuthenticatedRequest>().account;
    if (!account) throw new UnauthorizedException('not authenticated');
    return account;
  },
);
