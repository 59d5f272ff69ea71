// Package abo reads Czech ABO/KPC payment-order files ("KM – kompatibilní
// média" at Komerční banka) into the canonical payment model, streaming one
// line at a time, and reports every problem with its line and field.
//
// The layout and tolerance rules follow shared/specs/abo-kpc-gpc.md §1–§6:
//
//	UHL1…                               file header (58 chars; 46 and a bare "UHL1" accepted)
//	1 DDDD SSSPPP BBBB                  accounting file: data type, sequence+branch, payer's bank
//	2 [PAYER] SUM DDMMRR                group: bulk form (payer account) or single-order form
//	ACCOUNT AMOUNT VS BANKKS [SS] AV:…  bulk item
//	DEBIT CREDIT AMOUNT VS BANKKS [SS] AV:… [NP:name]   single-order item (ČSOB)
//	3 +   (or 3+)                       end of group
//	5 +   (or 5+)                       end of accounting file
//
// Records are split on spaces, never by column (KB-targeted generators write
// amounts, VS and SS unpadded), up to the first token that starts with "AV:"
// or "NP:"; the rest of the line is the message.
//
// Decisions where the spec leaves room, all documented at the code that
// implements them:
//   - Data type 1501 is read as normal payments, 1503 (ČSOB priority) as
//     formats.PriorityHigh and 1504 (ČSOB instant) as formats.PriorityInstant;
//     1502 (collections) is a problem: the file would debit other people's
//     accounts, and nothing downstream models a collection.
//   - Two-digit years: 00–79 are 2000–2079, 80–99 are 1980–1999.
//   - A due date may also be RRRRMMDD (ČSOB).
//   - The "|" in an AV: message is kept as it is. ČSOB splits the message for
//     the payee there, Česká spořitelna turns the rest into a message for the
//     payer: the meaning depends on the bank the file was written for, which
//     the reader does not know; the bank encoder decides.
//   - Blank lines are ignored anywhere; nothing but blank lines or a new
//     accounting file may follow a "5 +".
//   - A group without items, and a group whose declared sum differs from the
//     sum of its items, are problems reported at the group header's line.
//   - A payment order outside any group is checked but not returned: without
//     a group it has no due date and, in the bulk form, no payer.
//   - Account numbers are normalised ("000019-2000145399" → "19-2000145399")
//     but not checksummed; formats/validate does the mod-11 check.
//   - Both the account and the agent carry the bank code.
package abo
