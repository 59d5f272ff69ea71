// Package status is the model of what the connector reports back to the ERP
// about an input file, and its CSV and JSON writers (the ISO 20022 pain.002
// writer is formats/pain002). It is pure: the caller injects the time and
// writes the bytes atomically (temporary name, fsync, rename).
//
// The states a payment goes through, and how a file's state follows from its
// payments', are documented on State and Summarise. "awaiting-authorisation"
// and "unknown" (check internet banking) are real outcomes the ERP must show
// to a person.
//
// All three writers treat the report the same way: Report.Validate guards
// what only a programming error breaks (message ID, time, states); what came
// from the input file is cleaned (Clean) and written however broken, because
// the ERP must always get a status file; amounts are written from the integer,
// never through a float, and omitted when the file's amount was unreadable.
package status
