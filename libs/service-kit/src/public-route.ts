import { SetMetadata } from '@nestjs/common';

/** Metadata key of routes that need no token (health); the auth guard reads it. */
export const PUBLIC_ROUTE = 'gm:public-route';

export const PublicRoute = () => SetMetadata(PUBLIC_ROUTE, true);
