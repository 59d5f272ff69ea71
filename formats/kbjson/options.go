package kbjson

import (
	"errors"
	"fmt"
	"unicode"

	"erpconnector/formats"
)

// Processing modes for the x-batch-processing-mode header (spec §5.2). KB+
// ignores the mode and always processes ONLINE.
const (
	ModeOnline     = "ONLINE"
	ModeContinuous = "CONTINUOUS"
	ModeBatch      = "BATCH"
)

// DefaultMaxItems is the per-request item limit. KB's real limit is unknown;
// 100 is what the only known production client enforces (spec §7).
const DefaultMaxItems = 100

// ErrOptions is wrapped by every error of Options.Validate.
var ErrOptions = errors.New("invalid KB encoder options")

// Options configure the KB rules. The zero value is the safe default.
type Options struct {
	// MaxItems is the number of payments per request; 0 means DefaultMaxItems.
	MaxItems int
	// ProcessingMode is the x-batch-processing-mode header; "" means ONLINE.
	ProcessingMode string
	// NotBefore, when set, rejects requested execution dates before it (DT01).
	// The encoder has no clock: the caller passes today's date in Prague.
	NotBefore formats.Date
	// AllowForeignCreditor lets non-Czech creditor IBANs through. Off by
	// default: whether BATCHDA JSON accepts foreign payments is unknown.
	AllowForeignCreditor bool
	// ExtraTextChars are characters accepted in remittance text and IDs on
	// top of the default Czech payment character set (e.g. "&%").
	ExtraTextChars string
	// EndToEndFromInstruction sends the instruction ID as
	// endToEndIdentification when the ERP gave no end-to-end ID, so that the
	// account history (statements) names every payment and a booked entry
	// can be matched to it by reference. Off keeps the body exactly as the
	// ERP's data gives it (the spec's §8 example has no end-to-end IDs).
	EndToEndFromInstruction bool
}

func (o Options) maxItems() int {
	if o.MaxItems == 0 {
		return DefaultMaxItems
	}
	return o.MaxItems
}

func (o Options) mode() string {
	if o.ProcessingMode == "" {
		return ModeOnline
	}
	return o.ProcessingMode
}

// Validate reports options that would produce requests KB must refuse, so that
// configuration checking can name them before any file arrives.
func (o Options) Validate() error {
	if o.MaxItems < 0 {
		return fmt.Errorf("%w: MaxItems %d must be positive (0 means %d)", ErrOptions, o.MaxItems, DefaultMaxItems)
	}
	switch o.mode() {
	case ModeOnline, ModeContinuous, ModeBatch:
	default:
		return fmt.Errorf("%w: processing mode %q must be ONLINE, CONTINUOUS or BATCH", ErrOptions, o.ProcessingMode)
	}
	if !o.NotBefore.IsZero() && !validDate(o.NotBefore) {
		return fmt.Errorf("%w: NotBefore %v is not a calendar date", ErrOptions, o.NotBefore)
	}
	for _, r := range o.ExtraTextChars {
		if r == unicode.ReplacementChar || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("%w: ExtraTextChars may not contain %q", ErrOptions, r)
		}
	}
	return nil
}

// validDate reports whether d is a real date with a 4-digit year, so that
// String gives exactly YYYY-MM-DD.
func validDate(d formats.Date) bool {
	return d.Year >= 1000 && d.Year <= 9999 && d.Month >= 1 && d.Month <= 12 && d.Day >= 1 &&
		formats.DateOf(d.Time()) == d
}
