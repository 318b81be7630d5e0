/**
 * Caller tokens: JWTs from the page's own identity provider that open streams which are not
 * public. Verified with jose against an HS256 secret or the issuer's JWKS, with issuer,
 * audience, expiry and a clock skew; the streams claim lists the stream patterns granted.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { CallerJwtSettings } from '../settings.js';
import { parseStreamPatterns } from '../streams/stream-patterns.js';

export interface VerifiedCallerToken {
  /** Stream patterns the token grants (possibly none). */
  grantedStreams: string[];
  /** Epoch seconds. */
  expiresAt: number;
}

/** The token was refused; `transient` when the keys could not be fetched (not the caller's fault). */
export class CallerTokenError extends Error {
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
    this.name = 'CallerTokenError';
  }
}

export const CALLER_TOKEN_MAX_LENGTH = 8192;

const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const SYMMETRIC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

export class CallerTokenVerifier {
  readonly #settings: CallerJwtSettings;
  readonly #key: Uint8Array | JWTVerifyGetKey;
  readonly #algorithms: string[];

  constructor(settings: CallerJwtSettings) {
    this.#settings = settings;
    if (settings.jwksUrl) {
      // jose caches the key set and refetches it (rate-limited) when a token names an unknown kid.
      this.#key = createRemoteJWKSet(settings.jwksUrl, { timeoutDuration: 5000, cooldownDuration: 30_000 });
      this.#algorithms = ASYMMETRIC_ALGORITHMS;
    } else {
      this.#key = new TextEncoder().encode(settings.secret);
      this.#algorithms = SYMMETRIC_ALGORITHMS;
    }
  }

  async verify(token: string): Promise<VerifiedCallerToken> {
    if (token.length > CALLER_TOKEN_MAX_LENGTH) throw new CallerTokenError(`caller token is longer than ${CALLER_TOKEN_MAX_LENGTH} characters`);
    const options = {
      algorithms: this.#algorithms,
      issuer: this.#settings.issuer,
      audience: this.#settings.audience,
      clockTolerance: this.#settings.clockSkewInSeconds,
      requiredClaims: ['exp'],
    };
    let payload: Record<string, unknown>;
    try {
      // The two overloads of jwtVerify (key or key function) need separate calls to typecheck.
      ({ payload } =
        this.#key instanceof Uint8Array ? await jwtVerify(token, this.#key, options) : await jwtVerify(token, this.#key, options));
    } catch (error) {
      throw describeFailure(error);
    }
    return { grantedStreams: grantedStreams(payload[this.#settings.streamsClaim], this.#settings.streamsClaim), expiresAt: payload.exp as number };
  }
}

/** The claim may be an array of patterns or one space-separated string (as OAuth scopes are). */
function grantedStreams(claim: unknown, claimName: string): string[] {
  if (claim === undefined) return [];
  const entries = typeof claim === 'string' ? claim.split(/\s+/) : claim;
  if (!Array.isArray(entries) || !entries.every((entry) => typeof entry === 'string')) {
    throw new CallerTokenError(`caller token claim "${claimName}" must be an array of stream patterns or a space-separated string`);
  }
  try {
    return [...parseStreamPatterns(entries).sources];
  } catch (error) {
    throw new CallerTokenError(`caller token claim "${claimName}": ${(error as Error).message}`);
  }
}

function describeFailure(error: unknown): CallerTokenError {
  if (error instanceof errors.JWTExpired) return new CallerTokenError('caller token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'iss') return new CallerTokenError('caller token was issued by an issuer this API does not accept');
    if (claim === 'aud') return new CallerTokenError('caller token is meant for another audience');
    if (claim === 'nbf') return new CallerTokenError('caller token is not valid yet');
    if (error.reason === 'missing') return new CallerTokenError(`caller token has no "${claim}" claim`);
    return new CallerTokenError(`caller token claim "${claim}" is not valid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new CallerTokenError('caller token is signed with an algorithm this API does not accept');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new CallerTokenError('caller token signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return new CallerTokenError('caller token is signed with a key the issuer does not publish');
  if (error instanceof errors.JWKSTimeout) return new CallerTokenError('the issuer\'s signing keys could not be fetched in time', true);
  if (error instanceof errors.JWKSInvalid) return new CallerTokenError('the issuer\'s signing keys could not be read', true);
  // jose's plain JOSEError is what fetching the key set throws for an answer other than 200 with JSON.
  if (error instanceof errors.JOSEError && error.code === errors.JOSEError.code) return new CallerTokenError('the issuer\'s signing keys could not be read', true);
  if (error instanceof errors.JOSEError) return new CallerTokenError('caller token is not a valid JWT');
  // Anything else is a failure to fetch the key set (network), not a property of the token.
  return new CallerTokenError('the issuer\'s signing keys could not be fetched', true);
}
