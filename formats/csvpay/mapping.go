package csvpay

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// Mapping is decoded from TOML (github.com/BurntSushi/toml) by the config
// loader, e.g. from [csv.NAME] tables. The package doc describes every key.
type Mapping struct {
	Delimiter      string            `toml:"delimiter"`
	Decimal        string            `toml:"decimal"`
	Thousands      string            `toml:"thousands"`
	DateLayout     string            `toml:"date_layout"`
	Encoding       string            `toml:"encoding"`
	Header         bool              `toml:"header"`
	SkipRows       int               `toml:"skip_rows"`
	SkipFooterRows int               `toml:"skip_footer_rows"`
	FooterMarker   string            `toml:"footer_marker"`
	RaggedRows     bool              `toml:"ragged_rows"`
	Currency       string            `toml:"currency"`
	DebtorAccount  string            `toml:"debtor_account"`
	AccountCountry string            `toml:"account_country"`
	ReferenceType  string            `toml:"reference_type"`
	PriorityValues map[string]string `toml:"priority_values"`
	Columns        map[string]Column `toml:"columns"`
}

// Column is a column by header name (TOML string) or 1-based position (TOML
// integer). Exactly one of Name and Index is set in a valid mapping.
type Column struct {
	Name  string
	Index int
}

// UnmarshalTOML lets a column be written as `amount = "Beløb"` or `amount = 3`.
func (c *Column) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		*c = Column{Name: v}
	case int64:
		if v < 1 || v > math.MaxInt32 {
			// Kept out of range so that Check names the key.
			*c = Column{Index: -1}
			return nil
		}
		*c = Column{Index: int(v)}
	default:
		return fmt.Errorf("a column is a header name (string) or a 1-based position (integer), not %T", v)
	}
	return nil
}

// String is how problems name the column: `Beløb` or `3`.
func (c Column) String() string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprint(c.Index)
}

// MappingError is one problem with a Mapping. Key is the TOML key relative to
// the mapping's table ("delimiter", "columns.amount"), so that the config
// loader can point at its file:line.
type MappingError struct {
	Key string
	Msg string
}

func (e *MappingError) Error() string { return e.Key + ": " + e.Msg }

// ErrMapping is wrapped by NewReader when the mapping fails Check.
var ErrMapping = errors.New("invalid CSV mapping")

// maxColumn bounds positions so that a typo (30000 for 3) is caught early.
const maxColumn = 1000

// Check reports every problem with the mapping itself, each naming its key.
// It does not modify m.
func (m *Mapping) Check() []error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, &MappingError{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	if _, err := delimiterRune(m.Delimiter); err != nil {
		add("delimiter", "%v", err)
	}
	dec, decErr := decimalRune(m.Decimal)
	if decErr != nil {
		add("decimal", "%v", decErr)
	}
	for _, r := range m.Thousands {
		switch {
		case r >= '0' && r <= '9', r == '+', r == '-':
			add("thousands", "%q cannot be a thousands separator", r)
		case decErr == nil && r == dec:
			add("thousands", "%q is also the decimal separator", r)
		}
	}
	if _, err := parseLayout(m.dateLayout()); err != nil {
		add("date_layout", "%v", err)
	}
	if _, err := lookupEncoding(m.Encoding); err != nil {
		add("encoding", "%v", err)
	}
	if m.SkipRows < 0 {
		add("skip_rows", "must be 0 or more, not %d", m.SkipRows)
	}
	if m.SkipFooterRows < 0 {
		add("skip_footer_rows", "must be 0 or more, not %d", m.SkipFooterRows)
	}
	if m.FooterMarker != "" && m.SkipFooterRows == 0 {
		add("footer_marker", "needs skip_footer_rows")
	}
	if m.Currency != "" {
		if _, ok := money.Exponent(m.Currency); !ok {
			add("currency", "%q is not an ISO 4217 currency code (upper case, e.g. \"DKK\")", m.Currency)
		}
	}
	country, countryOK := m.accountCountry()
	if !countryOK {
		add("account_country", "%q is not \"CZ\", \"DK\" or empty", m.AccountCountry)
	}
	if m.DebtorAccount != "" && countryOK {
		if _, err := parseAccount(m.DebtorAccount, "", country); err != nil {
			add("debtor_account", "%v", err)
		}
	}
	if m.ReferenceType != "" && !isPrintable(m.ReferenceType) {
		add("reference_type", "%q contains a control character", m.ReferenceType)
	}
	for _, k := range sortedKeys(m.PriorityValues) {
		if _, ok := priorityByName(m.PriorityValues[k]); !ok {
			add("priority_values."+tomlKey(k), "%q is not NORM, HIGH or INST", m.PriorityValues[k])
		}
	}

	for _, name := range sortedKeys(m.Columns) {
		col := m.Columns[name]
		key := "columns." + tomlKey(name)
		if _, ok := fieldByName(name); !ok {
			add(key, "unknown field %q (known: %s)", name, strings.Join(fieldNames[:], ", "))
			continue
		}
		switch {
		case col.Name != "" && col.Index != 0:
			add(key, "give a header name or a position, not both")
		case col.Name != "":
			if strings.TrimSpace(col.Name) == "" {
				add(key, "header name is blank")
			} else if !m.Header {
				add(key, "header name %q needs header = true; without a header, give the column's position (1 = first)", col.Name)
			}
		case col.Index == 0 || col.Index < 0:
			add(key, "a column position starts at 1")
		case col.Index > maxColumn:
			add(key, "column position %d is larger than %d", col.Index, maxColumn)
		}
	}
	has := func(f field) bool { _, ok := m.Columns[fieldNames[f]]; return ok }
	if !has(fAmount) {
		add("columns", "amount is required")
	}
	if !has(fCreditorAccount) && !has(fFIK) {
		add("columns", "creditor_account (or fik) is required")
	}
	if !has(fCurrency) && m.Currency == "" {
		add("columns", "currency is required: map a currency column or set currency = \"DKK\" (or another code)")
	}
	if !has(fDebtorAccount) && m.DebtorAccount == "" {
		add("columns", "debtor_account is required: map a debtor_account column or set debtor_account")
	}
	return errs
}

func (m *Mapping) accountCountry() (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(m.AccountCountry))
	return c, c == "" || c == "CZ" || c == "DK"
}

func (m *Mapping) dateLayout() string {
	if m.DateLayout == "" {
		return "YYYY-MM-DD"
	}
	return m.DateLayout
}

func delimiterRune(s string) (rune, error) {
	switch s {
	case "":
		return ',', nil
	case `\t`, "tab", "TAB":
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	switch {
	case n != len(s):
		return 0, fmt.Errorf("%q is not one character", s)
	case r == utf8.RuneError, r == '"', r == '\r', r == '\n', r == '\uFEFF':
		return 0, fmt.Errorf("%q cannot be a delimiter", s)
	case unicode.IsDigit(r), unicode.IsLetter(r):
		return 0, fmt.Errorf("%q cannot be a delimiter (a letter or digit)", s)
	}
	return r, nil
}

func decimalRune(s string) (rune, error) {
	switch s {
	case "", ".":
		return '.', nil
	case ",":
		return ',', nil
	}
	return 0, fmt.Errorf("%q is not \".\" or \",\"", s)
}

// tomlKey quotes a key the way TOML would need it, so messages can be pasted back.
func tomlKey(k string) string {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return fmt.Sprintf("%q", k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func priorityByName(s string) (formats.Priority, bool) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "NORM", "NORMAL":
		return formats.PriorityNormal, true
	case "HIGH":
		return formats.PriorityHigh, true
	case "INST", "INSTANT":
		return formats.PriorityInstant, true
	}
	return 0, false
}
