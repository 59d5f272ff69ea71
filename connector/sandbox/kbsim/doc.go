// Package kbsim is a faithful in-process simulator of Komerční banka's API
// gateway for batch payments (../shared/specs/kb-batchda.md §10): the OAuth2
// authorization-code flow and token endpoint, BATCHDA v3
// POST /directapi/batchda/v3/batchPayments with its validations and COBS
// error bodies, the user's signature in internet banking (control API), the
// ADAA accounts, history and balances for statements, and fault injection. The daemon talks to
// it exactly as it would to KB.
//
// The server is written independently of the client (formats/kbjson), so the
// two cross-check each other. It uses formats/account for IBAN and Czech
// mod-11 checks and formats/money for exact amounts; JSON numbers stay text
// and are never read through a float.
//
// Endpoints (paths as KB's; host configurable):
//
//	GET  /autfe/ssologin, /sandbox/oauth2-authorization-ui/v3/   browser stand-in: auto-approves, 302 with code
//	POST /oauth2/v2|v3/access_token (also under /sandbox)         client_secret_post; authorization_code, refresh_token
//	POST /directapi/batchda/v3/batchPayments                      BATCHDA
//	GET  /adaa/v2/accounts                                        consented accounts with accountId
//	GET  /adaa/v2/accounts/{accountId|iban}/transactions          booked debits and credits, paged (adaa.go)
//	GET  /adaa/v2/accounts/{accountId|iban}/balances              previously closed, closing booked/available
//	/_sim/ledger, batch/{id}, sign, reject, fault, clock, reset, expire-refresh, authorize, credit, requests   control API (not KB)
//
// Decisions where the spec is unsure ([INF]/[UNK] there); the configurable
// ones name their Config field:
//
//   - Gateway: every API endpoint requires x-correlation-id (missing: 400
//     with "Required String parameter 'x-correlation-id' is not present";
//     not a UUID per the ADAA pattern, braces allowed: 400
//     INVALID_HEADER_VALUE) and echoes it. The browser login does not (a
//     browser cannot send it). The OAuth2 and ADAA endpoints require their
//     own apiKey header (another API's key: 401); BATCHDA ignores apiKey and
//     x-api-key.
//   - Tokens are JWT-shaped (HS256 over KB's claim set: scope array,
//     exp = iat + TTL, aud = client_id, jti), signed with a random secret kept
//     in the state, and recorded by jti so they can be revoked and survive a
//     restart. access 180 s (expires_in 179; AccessTokenTTL), refresh ~12
//     months (RefreshTokenTTL), code 120 s single use (CodeTTL). No rotation
//     by default, as KB documents (RotateRefreshTokens; ReuseRevokesFamily
//     for RFC 6819 reuse detection). Errors are RFC 6749 JSON
//     ({"error":"invalid_grant",...}); client_secret_basic is 401
//     invalid_client. More than TokenRateLimit tokens per client per minute
//     (default 30) → 429 with Retry-After. The token clock is the simulated
//     one, so /_sim/clock expires tokens.
//   - BATCHDA order of checks: bearer (401 UNAUTHORISED / 403 FORBIDDEN
//     without bpisp), Content-Type application/json (415), headers (all
//     header errors at once: FIELD_MISSING / FIELD_INVALID, scope = header
//     name; x-exchange-identification 1..MaxExchangeIDLen (18) printable
//     characters), body UTF-8 (RF01), JSON (FF01, also for duplicate keys
//     and trailing data), top level (unknown keys FIELD_INVALID unless
//     LenientKeys, missing/empty array, >MaxItems TOO_MANY_PMTS), the
//     duplicate check (AM05), then every item, all errors reported.
//   - Item rules: instructionIdentification 1–35; amount a JSON number (a
//     string is AM12), > 0 and no digit beyond the currency's exponent, even
//     a zero ("1.000" is AM12, like formats/money); exponents are expanded
//     exactly; currency [A-Z]{3} known to ISO 4217 (AM11); every item in the
//     currency of the first valid one (CURR_DIFFERENT);
//     requestedExecutionDate YYYY-MM-DD, not before today in Prague (DT01;
//     AllowPastDates), required (OptionalExecutionDate); IBANs normalised
//     and valid incl. CZ mod-11 (AC02 debtor / AC03 creditor); the debtor a
//     consented account of the client (400 AC02, not 403, so that it can be
//     an item error), the same for every item (ACC_DIFFERENT),
//     debtorAccount.currency equal to the account's (AC10); payer ≠ payee
//     (REC_SEND); chargeBearer enum (BE19); creditor.name ≤140 (RR03);
//     reference as a string or an array, each ^(VS|KS|SS):[0-9]{1,10}$, at
//     most one of each (FIELD_INVALID); unstructured ≤140 characters of
//     printable ASCII plus Czech/Slovak letters (RF01; AllowAnyText) — the
//     ČNB clearing set is not published in text form.
//   - Outcome: any item error → 400 with all errors, nothing kept; with
//     PartialAcceptance the valid items are accepted (ACWC, rejected count,
//     statusChangeInfo) unless none is. Counts cover all items; totals only
//     the accepted ones, written with the currency's decimals from integers
//     ("12999.50"). transactionIdentification is a base-36 sequence, 10
//     upper-case characters; signId "SIGN-<id>"; batchDigest the upper-hex
//     SHA-1 of the body bytes as received. AlwaysOnline echoes ONLINE (KB+).
//   - Duplicates: a repeated x-exchange-identification of the same client
//     whose earlier batch was accepted is 400 AM05 (DisableDuplicateCheck
//     gives KB's presumed behaviour: a second batch). A refused batch does
//     not block its ID. Every request that passed authentication with a
//     well-formed exchange ID is a Reception (Ledger.Received counts them).
//   - Lifecycle: ST/OPEN on import; /_sim/sign → AU/CLOSE; ProcessAfter
//     (10 s) later PR, and each item books at the later of that moment and
//     the start of its execution date in Prague. /_sim/reject without items
//     → DL/REJECT (only ST or AU); with items, those payments are refused in
//     processing with an ISO code (default AM04) unless already booked.
//   - Faults (/_sim/fault): status (JSON COBS error; Retry-After, default 30
//     for 429), delay, drop-before-commit, drop-after-commit (processed and
//     stored, connection closed), slow-body (processed and stored, the
//     answer's body trickled over the delay), gateway-xml (the WSO2 101504
//     "Send timeout" fault, default 504). Faults never touch /_sim/.
//   - Every API request is logged (wall-clock time, path, the
//     x-exchange-identification header, any injected fault): GET
//     /_sim/requests?after=SEQ.
//   - State (batches, receptions, tokens, codes, clock) is persisted after
//     every change when StatePath is set (temp file, fsync, rename, dir
//     fsync); armed faults and rate-limit windows are not. Reset keeps
//     tokens and codes (the user's consent is not the ledger).
package kbsim
