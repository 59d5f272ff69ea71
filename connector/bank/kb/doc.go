// Package kb is the client for Komerční banka's BATCHDA v3 batch submission
// (POST /directapi/batchda/v3/batchPayments, ../shared/specs/kb-batchda.md
// §3, §5, §6). It sends the bytes formats/kbjson made, adds what needs a
// secret, a clock or randomness (Authorization, x-correlation-id, apiKey),
// and classifies every outcome with the bank package's error classes so
// that the daemon can tell "resend" from "ask a person".
//
// KB has no status endpoint and no idempotency key: a batch that was
// imported twice is paid twice once someone signs both. So the client never
// resends a batch that may have left. Decisions where the spec leaves room:
//
//   - "May have left" starts when net/http has a connection for the request
//     (httptrace GotConn). Failures before it (DNS, refused, TLS handshake,
//     a context already done) are bank.ErrNotSent; any failure after it is
//     bank.ErrOutcomeUnknown, even if nothing had been flushed yet.
//   - A connection KB's gateway drops after reading our request is unknown
//     from here whether or not KB kept the batch (kbsim's drop-before-commit
//     and drop-after-commit look the same to a client; the tests show both).
//   - 401 is answered by the gateway before KB sees the batch: one
//     TokenSource.ForceRefresh and one resend, then bank.ErrAuth. 403 is
//     bank.ErrAuth at once. 429 and 408 are bank.ErrNotSent (Retry-After in
//     StatusError). Other 4xx are *RejectedError (KB kept nothing). 5xx
//     (including the WSO2 XML fault), 3xx and anything else are
//     bank.ErrOutcomeUnknown. Redirects are never followed.
//   - A 2xx is read exactly (amounts from the JSON text, exponents applied
//     by moving the point; duplicate keys and trailing data refused) and
//     checked as S9 checks it. Any doubt is a *MismatchError, which unwraps
//     to bank.ErrOutcomeUnknown: the batch was imported in some form and a
//     person must look at it in internet banking.
//   - With rejected items (ACWC) the spec does not say whether
//     totalDebitAmount covers all items or only the imported ones; any total
//     in [0, Sent.Total] is accepted then, but not 0 while a debit item was
//     imported. Without rejected items it must equal Sent.Total exactly.
//   - We only send debit orders: a non-zero totalCreditAmount with a zero
//     credit count is a mismatch.
//   - signInfo.signId is optional (S9 does not require it); every other §5.4
//     field is required. transactionIdentification ≤10 and batchDigest ≤50
//     characters (S9's limits).
//   - A token failure never lets the batch leave: bank.ErrAuth when the
//     source says so (bank.ErrAuth, oauth.ErrReauthorize,
//     oauth.ErrClientRejected), bank.ErrNotSent otherwise.
//   - BatchStatus calls COBS's GET /my/batchpayments/{id}/status, which KB
//     does not document for BATCHDA (kbsim offers it); use it only where the
//     bank is configured for it.
//   - Sent headers may not set Authorization, x-correlation-id, apiKey,
//     x-api-key, hop-by-hop headers or (Idempotency|X-Idempotency)-Key: with
//     the latter net/http would consider the POST replayable and could
//     resend it by itself after a connection failure.
package kb
