package camt053

import (
	"errors"
	"fmt"
	"strconv"
)

// Version selects the camt.053 message version.
type Version int

const (
	// V02 is camt.053.001.02, the default: the version the Czech banking
	// association's XML statement standard (ČBA) is based on and the one
	// most ERP statement imports know.
	V02 Version = iota
	// V08 is camt.053.001.08 (ISO 2019): Ntry/Sts becomes the choice
	// Sts/Cd, agents carry BICFI, parties are wrapped in Pty.
	V08
)

// Namespace is the root namespace URI of the version.
func (v Version) Namespace() string {
	switch v {
	case V02:
		return "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
	case V08:
		return "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
	}
	return ""
}

func (v Version) String() string {
	switch v {
	case V02:
		return "camt.053.001.02"
	case V08:
		return "camt.053.001.08"
	}
	return "camt.053 version " + strconv.Itoa(int(v))
}

// SymbolStyle says how the Czech payment symbols (VS, KS, SS) are written.
// Each symbol always gets its own RmtInf/Strd/CdtrRefInf block, after the
// structured creditor reference (RF, FIK) when there is one. The styles differ
// only in how the kind of symbol is named. The ČBA standard's exact placement
// is not available to us as text (specs/iso20022.md §8 [UNK]), so this is a
// setting; see doc.go for the reasoning behind the default.
type SymbolStyle int

const (
	// SymbolsPrefixed writes <Ref>VS:1234567890</Ref>, <Ref>KS:0308</Ref>,
	// <Ref>SS:42</Ref>: self-describing for readers that only look at Ref,
	// and the form KB's own API uses for the same symbols (abo-kpc-gpc.md §5).
	SymbolsPrefixed SymbolStyle = iota
	// SymbolsTyped writes <Tp><CdOrPrtry><Prtry>VS</Prtry></CdOrPrtry></Tp>
	// <Ref>1234567890</Ref>: the digits alone, the kind in the type.
	SymbolsTyped
)

// ProprietaryCode is a BkTxCd/Prtry code and its issuer.
type ProprietaryCode struct{ Code, Issuer string }

// DefaultUnknownTxCode is written for entries whose ISO bank transaction code
// is not known: "NTRF" (the SWIFT MT940 type of a plain transfer, which
// statement readers widely recognise) issued by "erpconnector", so that
// nobody mistakes it for the bank's own code.
var DefaultUnknownTxCode = ProprietaryCode{Code: "NTRF", Issuer: "erpconnector"}

// Options control what Write leaves to configuration.
type Options struct {
	Version Version
	Symbols SymbolStyle
	// UnknownTxCode replaces DefaultUnknownTxCode when its Code is set.
	UnknownTxCode ProprietaryCode
}

// Errors callers branch on.
var (
	// ErrVersion is returned for a Version that is neither V02 nor V08.
	ErrVersion = errors.New("unsupported camt.053 version")
	// ErrInvalid is wrapped by every *FieldError: the statement holds a
	// value that cannot be written unchanged into a schema-valid document.
	ErrInvalid = errors.New("statement cannot be written as camt.053")
)

// FieldError names the value that made Write refuse a statement. Nothing has
// been written when Write returns one.
type FieldError struct {
	Entry   int    // 0-based index in Statement.Entries; -1 for the statement itself
	EntryID string // the entry's ID, when Entry >= 0
	Field   string // Go field path, e.g. "EndToEndID", "Counterparty.Country"
	Problem string
}

func (e *FieldError) Error() string {
	if e.Entry < 0 {
		return fmt.Sprintf("camt.053: statement %s: %s", e.Field, e.Problem)
	}
	return fmt.Sprintf("camt.053: entry %d (%s): %s: %s", e.Entry, e.EntryID, e.Field, e.Problem)
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (e *FieldError) Unwrap() error { return ErrInvalid }
