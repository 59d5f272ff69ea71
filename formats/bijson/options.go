package bijson

// RequestOptions is the body's "options" object. The field meanings are
// inferred from the names ([INF]: the docs' descriptions are not public).
type RequestOptions struct {
	WaitForBankResponse bool `json:"waitForBankResponse"`
	CheckPaymentStatus  bool `json:"checkPaymentStatus"`
	MoveToNextBankDate  bool `json:"moveToNextBankDate"`
	UseIban             bool `json:"useIban"`
	SkipDuplicateCheck  bool `json:"skipDuplicateCheck"`
}

// Limits bound the texts of a transaction, in characters (runes). BankIntegration
// documents none of them ([UNK]); the defaults are conservative guesses that
// still take every text of the docs' own example (the longest is 25).
type Limits struct {
	Text         int // "text", the debtor's own statement: default 35
	CreditorText int // "creditorText", the creditor's statement: default 35
	MessageLine  int // one "creditorMessage" line: default 35
	MessageLines int // number of "creditorMessage" lines: default 4 (4 × 35 = 140, the model's remittance maximum)
	Name         int // creditor.name: default 70 (ISO 20022 Max70Text)
	Address      int // each creditor address field: default 70
}

// DefaultLimits are the limits used for every zero field of Options.Limits.
var DefaultLimits = Limits{Text: 35, CreditorText: 35, MessageLine: 35, MessageLines: 4, Name: 70, Address: 70}

// Default values. BankIntegration's per-request transaction limit is [UNK];
// 500 keeps a body well under a megabyte and matches what ERPs send per run.
const (
	DefaultMaxTransactions = 500
	UrgencyNormal          = 1 // C2 sends 1 "normal payment" [CODE]
	UrgencySameDay         = 2 // the docs' example annotates 2 as "SameDay" [DOC]
)

// Options control the encoder. Start from DefaultOptions: the zero value of
// the boolean fields means false, and for CheckPaymentStatus and
// RequireBICForIBAN false is not the default.
type Options struct {
	// ERP is the serviceProvider code. It is not written to the body (it goes
	// into the Authorization header at send time); it is here so that one
	// Options value configures a route.
	ERP string
	// MaxTransactions per request; 0 means DefaultMaxTransactions.
	MaxTransactions int
	// Urgency for NORM payments; 0 or less means UrgencyNormal.
	Urgency int
	// UrgencyHigh for HIGH payments; 0 or less means UrgencySameDay.
	UrgencyHigh int
	// UrgencyInstant for INST payments. The value for instant payments is
	// [UNK]; 0 or less (the default) reports such payments as a problem
	// instead of sending them slower than the ERP asked.
	UrgencyInstant int
	// RequestOptions is written as the body's "options".
	RequestOptions RequestOptions
	// RequireBICForIBAN reports a type 11 (IBAN) payment without creditor
	// BIC as a problem, as C2 does before sending.
	RequireBICForIBAN bool
	// DomesticIBANAsIBAN sends a DKK payment to a DK/FO/GL IBAN as type 11
	// with the IBAN. By default it is sent as type 1 with the 14-digit BBAN
	// inside the IBAN, the domestic transfer C2 uses for Danish creditors.
	DomesticIBANAsIBAN bool
	// OmitCreditorCountry leaves creditor.country out. The field is not in
	// the docs' example ([UNK]); it is sent by default because a foreign
	// transfer needs the creditor's country.
	OmitCreditorCountry bool
	// DropFIKMessage leaves the remittance text out of FIK payments whose
	// card carries no message (+04, +15, +71). By default such a text is a
	// problem, because the creditor would never see it.
	DropFIKMessage bool
	// Limits; zero fields take DefaultLimits.
	Limits Limits
}

// DefaultOptions returns the defaults: 500 transactions per request, urgency
// 1 (normal) and 2 (HIGH, same day), instant payments refused, options
// checkPaymentStatus=true and everything else false, BIC required for IBAN
// transfers, DKK to Danish IBANs as domestic type 1, creditor country sent.
//
// waitForBankResponse is false so that the /payment call returns quickly;
// the daemon follows the status by polling. moveToNextBankDate is false so
// that a date the ERP chose is never moved without the ERP knowing.
// skipDuplicateCheck is false: the bank's duplicate check is the second line
// of defence behind the daemon's own.
func DefaultOptions(erp string) Options {
	return Options{
		ERP:               erp,
		MaxTransactions:   DefaultMaxTransactions,
		Urgency:           UrgencyNormal,
		UrgencyHigh:       UrgencySameDay,
		RequestOptions:    RequestOptions{CheckPaymentStatus: true},
		RequireBICForIBAN: true,
		Limits:            DefaultLimits,
	}
}

// withDefaults fills the zero numeric fields.
func (o Options) withDefaults() Options {
	if o.MaxTransactions <= 0 {
		o.MaxTransactions = DefaultMaxTransactions
	}
	if o.Urgency <= 0 {
		o.Urgency = UrgencyNormal
	}
	if o.UrgencyHigh <= 0 {
		o.UrgencyHigh = UrgencySameDay
	}
	l, d := &o.Limits, DefaultLimits
	for _, p := range []struct {
		v *int
		d int
	}{
		{&l.Text, d.Text}, {&l.CreditorText, d.CreditorText}, {&l.MessageLine, d.MessageLine},
		{&l.MessageLines, d.MessageLines}, {&l.Name, d.Name}, {&l.Address, d.Address},
	} {
		if *p.v <= 0 {
			*p.v = p.d
		}
	}
	return o
}
