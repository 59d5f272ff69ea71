// Package kbjson writes Komerční banka BATCHDA v3 request bodies
// (POST /directapi/batchda/v3/batchPayments) from the canonical payment model,
// and reads a BATCHDA body that an ERP drops as-is (passthrough) back into it.
//
// Both directions share one set of KB rules (checker), so a file the reader
// accepts is one the encoder can send, and re-encoding a canonical item gives
// the same bytes.
//
// Decisions where the spec (kb-batchda.md) leaves room, each documented where it
// is implemented:
//   - field order follows the spec's §8 example; the body is compact JSON,
//     byte-for-byte deterministic; amounts are JSON numbers written from the
//     integer minor units with exactly the currency's decimals;
//   - x-exchange-identification is the first 14 hex digits of
//     SHA-256(file SHA-256 || request number as 4 bytes big endian), request
//     numbers counting from 1 in body order across the whole file;
//   - x-instruction-name is the file name reduced to KB-safe ASCII, the first 6
//     hex digits of the file hash and "i/n" when the file needs several requests;
//   - a payment without InstructionID or EndToEndID gets "EC" + 20 hex digits of
//     the file hash + "-" + its index in the file;
//   - the remittance text set is the SWIFT "x" set plus Czech and Slovak letters
//     (see textset.go); Options.ExtraTextChars widens it;
//   - the debtor must be a KB account (bank code 0100); creditors must be Czech
//     unless Options.AllowForeignCreditor is set (KB has not documented foreign
//     payments in BATCHDA JSON, spec §11.7).
package kbjson
