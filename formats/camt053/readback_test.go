package camt053

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/statement"
	"erpconnector/internal/testenv"
)

// jget walks a decoded genkgo JSON dump; a missing key or null is nil.
func jget(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func jstr(v any, path ...string) string {
	switch x := jget(v, path...).(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// TestReaderMatchesGenkgo proves the test reader against genkgo's own
// parse of its sample files: every field the read-back tests rely on is read
// from where genkgo reads it and comes out as genkgo reports it.
func TestReaderMatchesGenkgo(t *testing.T) {
	dir := testenv.Shared(t, "corpora", "camt053")
	xmls, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(xmls) == 0 {
		t.Fatalf("no corpus files in %s: %v", dir, err)
	}
	for _, xf := range xmls {
		jf := strings.TrimSuffix(xf, ".xml") + ".json"
		if _, err := os.Stat(jf); err != nil {
			continue
		}
		t.Run(filepath.Base(xf), func(t *testing.T) {
			raw, err := os.ReadFile(xf)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := readDoc(raw)
			if err != nil {
				t.Fatal(err)
			}
			jraw, err := os.ReadFile(jf)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(strings.NewReader(string(jraw)))
			dec.UseNumber() // no floats, not even in tests
			var want any
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if got, w := doc.GrpHdr.MsgId, jstr(want, "getGroupHeader", "getMessageId"); got != w {
				t.Errorf("MsgId = %q, genkgo %q", got, w)
			}
			if got, _ := gDate(xDate{DtTm: doc.GrpHdr.CreDtTm}); got != jstr(want, "getGroupHeader", "getCreatedOn", "0") {
				t.Errorf("GrpHdr CreDtTm = %q, genkgo %q", got, jstr(want, "getGroupHeader", "getCreatedOn", "0"))
			}
			records := map[string]struct {
				r  gRecord
				es []gEntry
			}{}
			for i := range doc.Stmts {
				r, es, err := project(&doc.Stmts[i])
				if err != nil {
					t.Fatal(err)
				}
				records[r.ID] = struct {
					r  gRecord
					es []gEntry
				}{r, es}
			}
			entries, _ := jget(want, "getEntries").([]any)
			if len(entries) == 0 {
				t.Fatal("genkgo dump has no entries to compare")
			}
			for _, je := range entries {
				rec, ok := records[jstr(je, "getRecord", "getId")]
				if !ok {
					t.Fatalf("statement %q not read", jstr(je, "getRecord", "getId"))
				}
				compareRecord(t, rec.r, jget(je, "getRecord"))
				idx, _ := strconv.Atoi(jstr(je, "getIndex"))
				if idx >= len(rec.es) {
					t.Fatalf("entry %d of %s not read", idx, rec.r.ID)
				}
				compareEntry(t, rec.es[idx], je)
			}
		})
	}
}

func compareRecord(t *testing.T, r gRecord, j any) {
	t.Helper()
	eq(t, "record id", r.ID, jstr(j, "getId"))
	eq(t, "record created", r.Created, jstr(j, "getCreatedOn", "0"))
	eq(t, "electronic sequence number", r.ElectronicSequenceNumber, jstr(j, "getElectronicSequenceNumber"))
	eq(t, "account", r.Account, jstr(j, "getAccount", "getIdentification"))
	jb, _ := jget(j, "getBalances").([]any)
	if len(jb) != len(r.Balances) {
		t.Fatalf("%d balances, genkgo %d", len(r.Balances), len(jb))
	}
	for i, b := range jb {
		want := gBalance{
			Type: jstr(b, "getType"), Amount: jstr(b, "getAmount", "getAmount"),
			Currency: jstr(b, "getAmount", "getCurrency", "getCode"), Date: jstr(b, "getDate", "0"),
		}
		if r.Balances[i] != want {
			t.Errorf("balance %d = %+v, genkgo %+v", i, r.Balances[i], want)
		}
	}
}

func compareEntry(t *testing.T, e gEntry, j any) {
	t.Helper()
	eq(t, "amount", e.Amount, jstr(j, "getAmount", "getAmount"))
	eq(t, "currency", e.Currency, jstr(j, "getAmount", "getCurrency", "getCode"))
	eq(t, "credit/debit", e.CreditDebit, jstr(j, "getCreditDebitIndicator"))
	eq(t, "status", e.Status, jstr(j, "getStatus"))
	eq(t, "booking date", e.BookingDate, jstr(j, "getBookingDate", "0"))
	eq(t, "value date", e.ValueDate, jstr(j, "getValueDate", "0"))
	eq(t, "reference", e.Reference, jstr(j, "getReference"))
	eq(t, "account servicer reference", e.AccountServicerReference, jstr(j, "getAccountServicerReference"))
	eq(t, "additional info", e.AdditionalInfo, jstr(j, "getAdditionalInfo"))
	if rv, _ := jget(j, "getReversalIndicator").(bool); rv != e.Reversal {
		t.Errorf("reversal = %v, genkgo %v", e.Reversal, rv)
	}
	btc := jget(j, "getBankTransactionCode")
	eq(t, "domain", e.Domain, jstr(btc, "getDomain", "getCode"))
	eq(t, "family", e.Family, jstr(btc, "getDomain", "getFamily", "getCode"))
	eq(t, "sub-family", e.SubFamily, jstr(btc, "getDomain", "getFamily", "getSubFamilyCode"))
	eq(t, "proprietary code", e.ProprietaryCode, jstr(btc, "getProprietary", "getCode"))
	eq(t, "proprietary issuer", e.ProprietaryIssuer, jstr(btc, "getProprietary", "getIssuer"))
	tx := jget(j, "getTransactionDetail")
	eq(t, "end-to-end id", e.EndToEndID, jstr(tx, "getReference", "getEndToEndId"))
	eq(t, "instruction id", e.InstructionID, jstr(tx, "getReference", "getInstructionId"))
	eq(t, "tx account servicer reference", e.TxAcctRef, jstr(tx, "getReference", "getAccountServicerReference"))
	eq(t, "message", e.Message, jstr(tx, "getRemittanceInformation", "getMessage"))
	cri := jget(tx, "getRemittanceInformation", "getCreditorReferenceInformation")
	code := jstr(cri, "getCode")
	if code == "" {
		code = jstr(cri, "getProprietary")
	}
	eq(t, "creditor reference code", e.CreditorRefCode, code)
	eq(t, "creditor reference", e.CreditorRef, jstr(cri, "getRef"))
	var parties []gParty
	jp, _ := jget(tx, "getRelatedParties").([]any)
	for _, p := range jp {
		class := jstr(p, "getRelatedPartyType", "__CLASS__")
		typ := class[strings.LastIndex(class, `\`)+1:]
		if typ != "Creditor" && typ != "Debtor" {
			continue
		}
		parties = append(parties, gParty{Type: typ, Name: jstr(p, "getRelatedPartyType", "getName"), Account: jstr(p, "getAccount", "getIdentification")})
	}
	if !reflect.DeepEqual(e.Parties, parties) {
		t.Errorf("related parties = %+v, genkgo %+v", e.Parties, parties)
	}
}

func eq(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, genkgo %q", what, got, want)
	}
}

// expectEntry is what a genkgo-like reader must find for e in our output,
// derived from the model alone (not from the writer).
func expectEntry(e *statement.Entry, o Options) gEntry {
	dir := "CRDT"
	if e.Minor < 0 {
		dir = "DBIT"
	}
	day := func(d formats.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String() + "T00:00:00+00:00"
	}
	g := gEntry{
		Amount: strconv.FormatInt(e.Minor, 10), Currency: e.Currency, CreditDebit: dir, Status: "BOOK",
		BookingDate: day(e.BookingDate), ValueDate: day(e.ValueDate),
		Reference: e.ID, AccountServicerReference: e.BankReference,
		AdditionalInfo: cut(clean(e.Text), 500), Reversal: e.Reversal,
		Domain: e.TxCode.Domain, Family: e.TxCode.Family, SubFamily: e.TxCode.SubFamily,
		EndToEndID: e.EndToEndID, InstructionID: e.InstructionID, TxAcctRef: e.BankReference,
	}
	if e.TxCode == (statement.TxCode{}) {
		u := o.UnknownTxCode
		if u.Code == "" {
			u = DefaultUnknownTxCode
		}
		g.ProprietaryCode, g.ProprietaryIssuer = u.Code, u.Issuer
	}
	name := cut(clean(e.Counterparty.Name), 140)
	if name != "" || hasAddress(e.Counterparty) || !e.CounterpartyAccount.IsZero() {
		typ := "Debtor"
		if e.Minor < 0 {
			typ = "Creditor"
		}
		g.Parties = []gParty{{Type: typ, Name: name, Account: e.CounterpartyAccount.String()}}
	}
	// The first structured reference, in the documented order.
	r := e.Remittance
	switch {
	case r.Reference != "":
		g.CreditorRef = r.Reference
		switch {
		case r.ReferenceType == "RF" || r.ReferenceType == "SCOR" || (r.ReferenceType == "" && strings.HasPrefix(r.Reference, "RF")):
			g.CreditorRefCode = "SCOR"
		default:
			g.CreditorRefCode = r.ReferenceType
		}
	case r.FIK != nil:
		g.CreditorRefCode, g.CreditorRef = "FIK", r.FIK.String()
	default:
		for _, s := range []struct{ kind, v string }{{"VS", r.VS}, {"KS", r.KS}, {"SS", r.SS}} {
			if s.v == "" {
				continue
			}
			if o.Symbols == SymbolsTyped {
				g.CreditorRefCode, g.CreditorRef = s.kind, s.v
			} else {
				g.CreditorRef = s.kind + ":" + s.v
			}
			break
		}
	}
	g.Message = clean(strings.ReplaceAll(r.Unstructured, "\n", " "))
	if g.Message == "" {
		g.Message = g.CreditorRef
	}
	return g
}

// TestReadBack writes every fixture in both versions and reads it back as
// genkgo would: every amount, balance, date, reference, party and
// remittance field must come out as the model put it in.
func TestReadBack(t *testing.T) {
	for _, fx := range fixtures {
		for _, ver := range versions {
			for _, sym := range []SymbolStyle{SymbolsPrefixed, SymbolsTyped} {
				o := Options{Version: ver.v, Symbols: sym}
				t.Run(fx.name+"_"+ver.suffix+"_"+strconv.Itoa(int(sym)), func(t *testing.T) {
					s := fx.make()
					checkReadBack(t, s, o, writeValid(t, s, o))
				})
			}
		}
	}
}

// checkReadBack compares what the test reader finds in doc with s.
func checkReadBack(t testing.TB, s *statement.Statement, o Options, doc []byte) {
	t.Helper()
	d, err := readDoc(doc)
	if err != nil {
		t.Fatalf("reading back: %v\n%s", err, doc)
	}
	if len(d.Stmts) != 1 {
		t.Fatalf("%d statements, want 1", len(d.Stmts))
	}
	st := &d.Stmts[0]
	r, es, err := project(st)
	if err != nil {
		t.Fatal(err)
	}
	id := messageID(s)
	if d.GrpHdr.MsgId != id || r.ID != id {
		t.Errorf("MsgId %q, Stmt/Id %q, want %q", d.GrpHdr.MsgId, r.ID, id)
	}
	wantSeq := ""
	if s.Sequence > 0 {
		wantSeq = strconv.Itoa(s.Sequence)
	}
	if r.ElectronicSequenceNumber != wantSeq {
		t.Errorf("ElctrncSeqNb %q, want %q", r.ElectronicSequenceNumber, wantSeq)
	}
	if r.Created != s.Created.UTC().Format("2006-01-02T15:04:05+00:00") {
		t.Errorf("CreDtTm %q, want %v", r.Created, s.Created)
	}
	if r.Account != s.Account.String() || st.Acct.Ccy != s.Currency {
		t.Errorf("account %q %q, want %q %q", r.Account, st.Acct.Ccy, s.Account.String(), s.Currency)
	}
	if got, want := st.Acct.Ownr, cut(clean(s.Owner), 140); got != want {
		t.Errorf("owner %q, want %q", got, want)
	}
	bic := st.Acct.Svcr.BIC
	if o.Version == V08 {
		bic = st.Acct.Svcr.BICFI
	}
	if bic != s.BIC {
		t.Errorf("servicer BIC %q, want %q", bic, s.BIC)
	}
	bdate := func(b statement.Balance, def formats.Date) string {
		if b.Date.IsZero() {
			b.Date = def
		}
		return b.Date.String() + "T00:00:00+00:00"
	}
	wantBal := []gBalance{
		{"opening", strconv.FormatInt(s.Opening.Minor, 10), s.Currency, bdate(s.Opening, s.From)},
		{"closing", strconv.FormatInt(s.Closing.Minor, 10), s.Currency, bdate(s.Closing, s.To)},
	}
	if !reflect.DeepEqual(r.Balances, wantBal) {
		t.Errorf("balances %+v, want %+v", r.Balances, wantBal)
	}
	if len(es) != len(s.Entries) {
		t.Fatalf("%d entries read back, want %d", len(es), len(s.Entries))
	}
	for i := range s.Entries {
		if want := expectEntry(&s.Entries[i], o); !reflect.DeepEqual(es[i], want) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, es[i], want)
		}
	}
	checkSummary(t, s, st)
}

// checkSummary recomputes TxsSummry from the model.
func checkSummary(t testing.TB, s *statement.Statement, st *xStmt) {
	t.Helper()
	credit, debit := s.Totals()
	var nc, nd int
	for _, e := range s.Entries {
		if e.Minor > 0 {
			nc++
		} else {
			nd++
		}
	}
	exp := exp(s.Currency)
	sum := st.TxsSummry.TtlNtries
	netAmt, netInd := sum.TtlNetNtryAmt, sum.CdtDbtInd
	if sum.TtlNetNtry.Amt != "" {
		netAmt, netInd = sum.TtlNetNtry.Amt, sum.TtlNetNtry.CdtDbtInd
	}
	net, wantInd := credit-debit, "CRDT"
	if net < 0 {
		net, wantInd = -net, "DBIT"
	}
	got := []string{sum.NbOfNtries, sum.Sum, netAmt, netInd,
		st.TxsSummry.TtlCdtNtries.NbOfNtries, st.TxsSummry.TtlCdtNtries.Sum,
		st.TxsSummry.TtlDbtNtries.NbOfNtries, st.TxsSummry.TtlDbtNtries.Sum}
	want := []string{strconv.Itoa(nc + nd), fmtMinor(credit+debit, exp), fmtMinor(net, exp), wantInd,
		strconv.Itoa(nc), fmtMinor(credit, exp), strconv.Itoa(nd), fmtMinor(debit, exp)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TxsSummry %v, want %v", got, want)
	}
	if net := credit - debit; s.Opening.Minor+net != s.Closing.Minor {
		t.Errorf("summary net %d does not reconcile %d → %d", net, s.Opening.Minor, s.Closing.Minor)
	}
}
