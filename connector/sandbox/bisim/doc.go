// Package bisim is a faithful in-process simulator of the Danish
// BankIntegration API (api.bankintegration.dk): POST /payment, GET and POST
// /status, POST /payment/cancel, and GET and POST /report/account and
// /report/balance, with the Authorization check, payment
// validation, the duplicate check and the status lifecycle of
// ../shared/specs/bankintegration.md §4. The daemon talks to it exactly as
// it would to the real service, so it answers errors the way the service is
// believed to.
//
// The server side is written independently of the client (formats/bijson):
// it recomputes every HMAC itself, so the two cross-check each other.
//
// Decisions where the spec is unsure (each [INF]/[UNK] there):
//
//   - 401 carries the reason phrase "Invalid Signature": on HTTP/1.x the
//     connection is hijacked to write that status line (and then closed);
//     elsewhere "401 Unauthorized" with the phrase in the body. The body is
//     {"requestId","errors":[{"code":"AUTH_…","text":"Invalid Signature: …"}]}.
//   - Order of checks: Authorization structure, ERP, account, time window;
//     then the body (400 for bad JSON, missing requestId, no transactions);
//     then hash count, hash ids, requestId equality and the HMACs (401).
//   - The time window is measured against Config.Now, not the simulated
//     clock, because clients sign with their own clock; /_sim/clock moves
//     only the lifecycle and the bank date.
//   - Amounts: JSON number or numeric string, exponent allowed; more than 2
//     decimals (even trailing zeros, as in formats/money) fails with AM12,
//     and the hash payload then uses the amount rounded half away from zero,
//     as a .NET "0.00" format would. Currencies without minor units refuse
//     a fraction. The ledger holds ISO minor units (money.Amount's Minor).
//   - Answer error codes are ISO 20022 reason codes where one fits (AM12,
//     AM03, AC01, DT01, RR03, AG03, FF01, DUPL); CNCL is invented.
//   - A transaction without "type" is checked by the shape of its account
//     (BBAN, FI string, IBAN). Unknown types fail with AG03 unless
//     Config.AllowUnknownTypes. FIK71/FIK04 check digits are verified unless
//     Config.LenientFI. Type 11 does not require creditor.bic.
//   - Past dates and non-bank days (weekends, Config.Holidays) fail with
//     DT01 unless options.moveToNextBankDate moves them to the next bank day.
//     The bank date is the Copenhagen date of the simulated clock.
//   - Duplicates: a paymentId already held by a non-failed record of the same
//     account is answered 32 DUPL; the reception is counted on the original
//     record and nothing new is created. A failed (32) attempt does not
//     block a corrected resend. skipDuplicateCheck creates a second record.
//   - /payment always returns answers; waitForBankResponse makes a payment
//     Pending at once. /status without paymentIds returns every payment of
//     the account; with IDs, the newest record per ID (64 when none).
//   - Lifecycle: 1 for StepAfter, 2 for StepAfter, [512 until approved],
//     4 for StepAfter and at least until the execution date begins in
//     Copenhagen, then 8. Rejection (control API) gives 16 with its code.
//     Cancel is allowed in 2, 4, 128 and 512, answers 256, and after
//     StepAfter resolves to Config.CancelledStatus (default 16, code DS02).
//     Other states are answered with their status plus error CNCL; a repeat
//     cancel answers 256 again.
//   - Statements (statement.go, entries.go): a per-account ledger of
//     entries materialised once, when a report, credit or Entries call
//     first sees a payment in 8 Succeeded (a debit: text, creditorText,
//     creditorMessage lines joined by "\n", endToEndId, debtorsPaymentId,
//     creditor, PMNT/ICDT/DMCT) or an incoming credit (invented per
//     Config.Credits, or injected by /_sim/credit; PMNT/RCDT/DMCT). ids are
//     10 digits from a global counter, sequence counts per account from 1,
//     balance is the running balance after the entry from
//     Account.OpeningBalance; booking and value date are the Copenhagen
//     date of the booking instant. Payments in another currency than the
//     account's are not booked (no exchange rates).
//   - from/to: yyyy-MM-dd or yyMMdd, inclusive, on the booking date; default
//     today in UTC (§3.4 says the dates are UTC); from > to is 400
//     DATE_RANGE "From date cannot be later than to date"; malformed 400
//     DATE. type "Full" (any case) adds an invented "amounts" object
//     {booked, instructed}; any other type is Simple. options are ignored.
//     newOnly (true or "true") ignores from/to and returns the entries after
//     the ERP's cursor (per account and ERP), then moves the cursor; the
//     answer's from/to are the booking dates covered. Config.OverlapEntries
//     and /_sim/redeliver (once) repeat already delivered entries.
//   - /report/balance: type 1, 2 or 3 (default 3, number or string); one
//     opening (before the day's first entry) and/or closing (after its
//     last) line per day of from..to, no day after the bank date and no
//     closing for the bank date itself; at most MaxReportDays (366) days.
//   - State is persisted (temp file, fsync, rename, directory fsync) after
//     every change when Config.StatePath is set; armed faults are not.
//   - Faults (/_sim/fault): status (Retry-After optional, default 30 for
//     429), delay, drop-before-commit, drop-after-commit (processed and
//     stored, connection closed), slow-body (processed and stored, the
//     answer's body trickled over the delay), invalid-signature (401
//     "Invalid Signature", nothing processed). Faults never touch /_sim/.
//   - Every bank request is logged (wall-clock time, path, the header's
//     requestId, any injected fault): GET /_sim/requests?after=SEQ.
//
// The /_sim/ control API (ledger, approve, reject, fault, clock, reset,
// credit, redeliver, entries, requests) is not part of BankIntegration; each
// call also has a Go method.
package bisim
