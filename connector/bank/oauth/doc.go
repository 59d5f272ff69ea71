// Package oauth is the rotation-safe OAuth2 token source for the bank clients
// (KB's CAAS token endpoint first; any RFC 6749 server that authenticates
// with client_secret_post). It replaces golang.org/x/oauth2, which is not a
// dependency and never reports a rotated refresh token
// (../shared/specs/auth-and-signing.md §1).
//
// Promises, each covered by a test:
//
//   - One token call at a time per Source. Concurrent Token calls during a
//     refresh wait for it and share its result; an Exchange also waits for a
//     refresh in flight and vice versa.
//   - Persist before use. A refresh or code-exchange answer is saved through
//     Persist before any caller sees its access token. If Save fails the new
//     tokens stay in memory, marked unsaved: every Token call first retries
//     the save and hands out nothing until it succeeds, and the next refresh
//     uses the new refresh token, never the rotated-out one.
//   - Journal. Before a token call the Source durably records "token call in
//     flight" (one extra Save). A crash between the bank's answer and the save
//     is then known after restart: if the bank refuses the old refresh token,
//     the reason says a rotated token was probably lost. If the journal
//     cannot be written the bank is not called at all, because its answer
//     could not be saved either.
//   - invalid_grant on a refresh is terminal: ErrReauthorize, the dead
//     refresh token is dropped, the state "re-authorisation needed" is saved
//     (it survives a restart) and no token call is made until Exchange
//     succeeds. invalid_grant on a code exchange (used or expired code) also
//     wraps ErrReauthorize but leaves the stored tokens alone.
//   - 429 wraps ErrRateLimited; during its Retry-After (default 30 s, at most
//     one hour) Token answers ErrRateLimited without calling the bank. Every
//     other failure (4xx, 5xx, transport, unusable answer) is an error with
//     context; the next Token call tries again.
//   - Secrets never appear in errors or Health: the client secret, tokens,
//     codes and the apiKey are replaced by [REDACTED] in anything taken from
//     the server, error descriptions are cut to 200 characters, and response
//     bodies are never quoted beyond that description.
//
// Decisions where the specs leave room:
//
//   - The access token is persisted with its expiry and issue time, so a
//     restart within its 3 minutes needs no token call (fewer 429s in a
//     restart loop). It is no more sensitive than the refresh token stored
//     next to it. A persisted access token counts as valid only while
//     issued <= now < expiry-Margin, so a clock that jumped backwards does
//     not stretch it.
//   - Expiry is measured from when the request was sent, not when the answer
//     arrived (auth-and-signing.md §1.3 "Clock skew"). expires_in may be a
//     JSON integer or a numeric string; a fraction is truncated; missing,
//     zero, negative or malformed means "not said". When not said, the
//     access token's JWT exp-iat (a difference, so immune to clock skew) is
//     used if present, else 60 s. Lifetimes are capped at 24 h.
//   - Refresh-token expiry: refresh_expires_in if the answer has it, else the
//     refresh token's JWT exp-iat (KB's are JWTs), else Config.RefreshLifetime
//     (12 months). A refresh answer without refresh_token keeps the old token
//     and its expiry (KB does not rotate). A code exchange without one stores
//     none: Token works until the access token expires, then asks for
//     re-authorisation.
//   - A local refresh-token expiry is only an estimate: the Source still asks
//     the bank once after it (the bank's invalid_grant is authoritative);
//     Health reports it as expired or expiring within WarnBefore (30 days).
//   - The token request and its save run in their own goroutine on a
//     context of their own, bounded by RequestTimeout (default 30 s): a
//     caller that gives up must not abort a call that may rotate the refresh
//     token and so lose the answer. Waiting callers still return on their own
//     ctx; the call finishes and is saved without them.
//   - Redirects are never followed (a 3xx is an error); answers are read up to
//     1 MiB.
//   - invalid_client wraps ErrClientRejected (check client_id/secret/apiKey);
//     unlike invalid_grant it is not sticky, an admin fixes the config.
//   - Rejected(ctx, token) is ForceRefresh that first checks the token is
//     still the cached one, so N concurrent 401s cause one refresh.
//
// A Source must be the only owner of its credential: the daemon holds the
// bbolt file exclusively, so there is no cross-process lock here.
package oauth
