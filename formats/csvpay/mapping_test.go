package csvpay

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// valid is a minimal correct mapping; cases change one thing.
func valid() Mapping {
	return Mapping{
		Currency:      "DKK",
		DebtorAccount: "5301 0000245768",
		Columns: map[string]Column{
			"amount":           {Index: 2},
			"creditor_account": {Index: 1},
		},
	}
}

func TestCheck(t *testing.T) {
	known := strings.Join(fieldNames[:], ", ")
	tests := []struct {
		name   string
		change func(m *Mapping)
		want   []string
	}{
		{"valid", func(m *Mapping) {}, nil},
		{"tab by escape", func(m *Mapping) { m.Delimiter = `\t` }, nil},
		{"delimiter two chars", func(m *Mapping) { m.Delimiter = ";;" },
			[]string{`delimiter: ";;" is not one character`}},
		{"delimiter quote", func(m *Mapping) { m.Delimiter = `"` },
			[]string{`delimiter: "\"" cannot be a delimiter`}},
		{"delimiter newline", func(m *Mapping) { m.Delimiter = "\n" },
			[]string{`delimiter: "\n" cannot be a delimiter`}},
		{"delimiter letter", func(m *Mapping) { m.Delimiter = "x" },
			[]string{`delimiter: "x" cannot be a delimiter (a letter or digit)`}},
		{"decimal", func(m *Mapping) { m.Decimal = "'" },
			[]string{`decimal: "'" is not "." or ","`}},
		{"thousands equals decimal", func(m *Mapping) { m.Decimal, m.Thousands = ",", ", " },
			[]string{`thousands: ',' is also the decimal separator`}},
		{"thousands digit", func(m *Mapping) { m.Thousands = "0" },
			[]string{`thousands: '0' cannot be a thousands separator`}},
		{"date layout token", func(m *Mapping) { m.DateLayout = "DD.MM.YYY" },
			[]string{`date_layout: "DD.MM.YYY": "YYY" is not one of YYYY, YY, MM, M, DD, D`}},
		{"date layout without day", func(m *Mapping) { m.DateLayout = "YYYY-MM" },
			[]string{`date_layout: "YYYY-MM" must contain the year (YYYY or YY), month (MM or M) and day (DD or D) once each`}},
		{"date layout twice", func(m *Mapping) { m.DateLayout = "YYYY-MM-DD DD" },
			[]string{`date_layout: "YYYY-MM-DD DD" must contain the year (YYYY or YY), month (MM or M) and day (DD or D) once each`}},
		{"date layout go style", func(m *Mapping) { m.DateLayout = "2006-01-02" },
			[]string{`date_layout: "2006-01-02": "2006" is not one of YYYY, YY, MM, M, DD, D`}},
		{"date layout lower case", func(m *Mapping) { m.DateLayout = "dd.mm.yyyy" },
			[]string{`date_layout: "dd.mm.yyyy": "dd" is not one of YYYY, YY, MM, M, DD, D`}},
		{"date layout ambiguous", func(m *Mapping) { m.DateLayout = "YYYYMD" },
			[]string{`date_layout: "YYYYMD": a one-digit token (M, D) needs a separator after it`}},
		{"encoding", func(m *Mapping) { m.Encoding = "koi8-r" },
			[]string{`encoding: unknown encoding "koi8-r" (known: utf-8, windows-1252, iso-8859-1, windows-1250, iso-8859-2, cp852)`}},
		{"encoding alias", func(m *Mapping) { m.Encoding = "CP1250" }, nil},
		{"skip rows", func(m *Mapping) { m.SkipRows, m.SkipFooterRows = -1, -2 },
			[]string{`skip_rows: must be 0 or more, not -1`, `skip_footer_rows: must be 0 or more, not -2`}},
		{"footer marker without footer", func(m *Mapping) { m.FooterMarker = "Total" },
			[]string{`footer_marker: needs skip_footer_rows`}},
		{"currency lower case", func(m *Mapping) { m.Currency = "dkk" },
			[]string{`currency: "dkk" is not an ISO 4217 currency code (upper case, e.g. "DKK")`}},
		{"debtor account", func(m *Mapping) { m.DebtorAccount = "12345" },
			[]string{`debtor_account: "12345": not an IBAN, a Czech account "[prefix-]number/bank" or a Danish account "reg account"`}},
		{"account country", func(m *Mapping) { m.AccountCountry = "SE" },
			[]string{`account_country: "SE" is not "CZ", "DK" or empty`}},
		{"account country pins the debtor", func(m *Mapping) { m.AccountCountry = "cz" },
			[]string{`debtor_account: "5301 0000245768": not an IBAN or a Czech account "[prefix-]number/bank" (account_country = "CZ")`}},
		{"priority values", func(m *Mapping) { m.PriorityValues = map[string]string{"J": "EXPRESS", "N": "NORM"} },
			[]string{`priority_values.J: "EXPRESS" is not NORM, HIGH or INST`}},
		{"unknown field", func(m *Mapping) { m.Columns["amout"] = Column{Index: 3} },
			[]string{`columns.amout: unknown field "amout" (known: ` + known + `)`}},
		{"unknown field needing quotes", func(m *Mapping) { m.Columns["Beløb"] = Column{Index: 3} },
			[]string{`columns."Beløb": unknown field "Beløb" (known: ` + known + `)`}},
		{"name without header", func(m *Mapping) { m.Columns["message"] = Column{Name: "Tekst"} },
			[]string{`columns.message: header name "Tekst" needs header = true; without a header, give the column's position (1 = first)`}},
		{"name with header", func(m *Mapping) { m.Header = true; m.Columns["message"] = Column{Name: "Tekst"} }, nil},
		{"blank name", func(m *Mapping) { m.Header = true; m.Columns["message"] = Column{Name: " "} },
			[]string{`columns.message: header name is blank`}},
		{"position zero", func(m *Mapping) { m.Columns["message"] = Column{Index: 0} },
			[]string{`columns.message: a column position starts at 1`}},
		{"position negative", func(m *Mapping) { m.Columns["message"] = Column{Index: -1} },
			[]string{`columns.message: a column position starts at 1`}},
		{"position huge", func(m *Mapping) { m.Columns["message"] = Column{Index: 30000} },
			[]string{`columns.message: column position 30000 is larger than 1000`}},
		{"name and position", func(m *Mapping) { m.Header = true; m.Columns["message"] = Column{Name: "x", Index: 2} },
			[]string{`columns.message: give a header name or a position, not both`}},
		{"fik instead of account", func(m *Mapping) { delete(m.Columns, "creditor_account"); m.Columns["fik"] = Column{Index: 1} }, nil},
		{"required fields", func(m *Mapping) { *m = Mapping{} }, []string{
			`columns: amount is required`,
			`columns: creditor_account (or fik) is required`,
			`columns: currency is required: map a currency column or set currency = "DKK" (or another code)`,
			`columns: debtor_account is required: map a debtor_account column or set debtor_account`,
		}},
		{"columns instead of defaults", func(m *Mapping) {
			m.Currency, m.DebtorAccount = "", ""
			m.Columns["currency"] = Column{Index: 3}
			m.Columns["debtor_account"] = Column{Index: 4}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid()
			tt.change(&m)
			var got []string
			for _, err := range m.Check() {
				var me *MappingError
				if !errors.As(err, &me) || me.Key == "" {
					t.Errorf("error %v is not a *MappingError with a key", err)
				}
				got = append(got, err.Error())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check() =\n  %q\nwant\n  %q", got, tt.want)
			}
			_, err := NewReader(strings.NewReader(""), &m)
			if (err != nil) != (len(tt.want) > 0) {
				t.Errorf("NewReader error = %v, want an error: %v", err, len(tt.want) > 0)
			}
			if err != nil && !errors.Is(err, ErrMapping) {
				t.Errorf("NewReader error %v does not wrap ErrMapping", err)
			}
		})
	}
}

// TestDecodeTOML shows that both column forms decode and that the struct tags
// let the config loader find misspelt keys with MetaData.Undecoded.
func TestDecodeTOML(t *testing.T) {
	const doc = `
[csv.erp]
delimiter = "\t"
decimal = ","
header = true
skip_footer_rows = 1
footer_marker = "Total"
currency = "DKK"
debtor_acount = "5301 0000245768"   # misspelt
[csv.erp.priority_values]
"J" = "HIGH"
[csv.erp.columns]
amount = "Beløb"
creditor_account = 3
message = "Tekst til modtager"
`
	var mf mappingFile
	md, err := toml.Decode(doc, &mf)
	if err != nil {
		t.Fatal(err)
	}
	m := mf.CSV["erp"]
	if m == nil {
		t.Fatal("no [csv.erp] mapping decoded")
	}
	wantCols := map[string]Column{
		"amount":           {Name: "Beløb"},
		"creditor_account": {Index: 3},
		"message":          {Name: "Tekst til modtager"},
	}
	if len(m.Columns) != len(wantCols) {
		t.Errorf("columns = %v, want %v", m.Columns, wantCols)
	}
	for k, want := range wantCols {
		if m.Columns[k] != want {
			t.Errorf("columns.%s = %+v, want %+v", k, m.Columns[k], want)
		}
	}
	if m.Delimiter != "\t" || m.Decimal != "," || !m.Header || m.SkipFooterRows != 1 || m.FooterMarker != "Total" ||
		m.Currency != "DKK" || m.PriorityValues["J"] != "HIGH" {
		t.Errorf("decoded %+v", m)
	}
	var undecoded []string
	for _, k := range md.Undecoded() {
		undecoded = append(undecoded, k.String())
	}
	if want := []string{"csv.erp.debtor_acount"}; !slices.Equal(undecoded, want) {
		t.Errorf("Undecoded = %q, want %q", undecoded, want)
	}
	// The misspelt key leaves debtor_account unset, which Check reports too.
	if errs := m.Check(); len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), "columns: debtor_account is required") {
		t.Errorf("Check = %v", errs)
	}
}

func TestDecodeColumnErrors(t *testing.T) {
	tests := []struct {
		value string
		want  string // substring of the decode error, or "" when decoding succeeds
		check string // then: Check's message
	}{
		{`2.5`, "a column is a header name (string) or a 1-based position (integer), not float64", ""},
		{`true`, "not bool", ""},
		{`{ name = "x" }`, "not map[string]interface {}", ""},
		{`0`, "", "columns.amount: a column position starts at 1"},
		{`-3`, "", "columns.amount: a column position starts at 1"},
		{`9999999999999`, "", "columns.amount: a column position starts at 1"},
		{`""`, "", `columns.amount: a column position starts at 1`},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			doc := "[csv.x]\ncurrency = \"DKK\"\ndebtor_account = \"5301 0000245768\"\n[csv.x.columns]\ncreditor_account = 1\namount = " + tt.value + "\n"
			var mf mappingFile
			_, err := toml.Decode(doc, &mf)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Decode error = %v, want it to contain %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			errs := mf.CSV["x"].Check()
			if len(errs) != 1 || errs[0].Error() != tt.check {
				t.Errorf("Check = %v, want %q", errs, tt.check)
			}
		})
	}
}

// TestSampleMappings makes sure the shipped examples stay loadable: the lead
// references them from README and config.example.toml.
func TestSampleMappings(t *testing.T) {
	for _, name := range []string{"testdata/danish-erp.toml", "testdata/czech-erp.toml"} {
		m := loadMapping(t, name)
		if m.Encoding == "" || m.Encoding == "utf-8" {
			t.Errorf("%s: the sample should show an 8-bit encoding", name)
		}
	}
}
