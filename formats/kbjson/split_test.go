package kbjson

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"erpconnector/formats"
)

// manyPayments makes n valid payments with distinct creditors' IDs, cycling
// over the given debtors and currencies in the given pattern.
func manyPayments(t testing.TB, n int, debtors, ccys []string) []*formats.Payment {
	ps := make([]*formats.Payment, n)
	for i := range ps {
		p := valid(t)
		p.Index = i
		p.Pos = formats.Pos{Line: i + 1}
		p.InstructionID = fmt.Sprintf("P%d", i)
		p.DebtorAccount = formats.Account{Number: debtors[i%len(debtors)], BankCode: "0100", Country: "CZ"}
		ccy := ccys[(i/len(debtors))%len(ccys)]
		value := fmt.Sprintf("%d.%02d", i+1, i%100)
		if ccy == "JPY" {
			value = fmt.Sprint(1000 * (i + 1))
		}
		p.Amount = mustAmount(t, value, ccy)
		ps[i] = p
	}
	return ps
}

func TestSplit250(t *testing.T) {
	ps := manyPayments(t, 250, []string{"19-2000145399"}, []string{"CZK"})
	reqs := encodeAll(t, testSource("big.kpc"), Options{}, ps)
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	next := 0
	for i, want := range []int{100, 100, 50} {
		r := reqs[i]
		if r.Count != want || len(r.Payments) != want {
			t.Errorf("request %d: count %d, %d payments; want %d", i, r.Count, len(r.Payments), want)
		}
		var body struct {
			Items []json.RawMessage `json:"batchPaymentDataCollectionRequest"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || len(body.Items) != want {
			t.Errorf("request %d: body has %d items (%v)", i, len(body.Items), err)
		}
		for j, idx := range r.Payments {
			if idx != next {
				t.Errorf("request %d item %d is payment %d, want %d (file order)", i, j, idx, next)
			}
			if !bytes.Contains(body.Items[j], []byte(fmt.Sprintf(`"instructionIdentification":"P%d"`, idx))) {
				t.Errorf("request %d item %d is not payment %d: %s", i, j, idx, body.Items[j])
			}
			next++
		}
		if name := r.Headers[HeaderInstructionName]; !strings.HasSuffix(name, fmt.Sprintf(" %d/3", i+1)) {
			t.Errorf("request %d name %q lacks its part", i, name)
		}
	}
	// The totals are exact sums of the items.
	var sum int64
	for _, p := range ps[200:] {
		sum += p.Amount.Minor
	}
	if reqs[2].Total.Minor != sum {
		t.Errorf("total of the last request %v, want %d", reqs[2].Total, sum)
	}
}

func TestSplitGroupsInterleaved(t *testing.T) {
	// Debtor A CZK, B CZK, A EUR, B EUR, A CZK, ... : four groups, in order of
	// first appearance, each in file order, cut at MaxItems 3.
	debtors := []string{"19-2000145399", "2198370339"}
	ps := manyPayments(t, 20, debtors, []string{"CZK", "EUR"})
	reqs := encodeAll(t, testSource("mixed.xml"), Options{MaxItems: 3}, ps)
	golden(t, "split_interleaved.request", dumpRequests(reqs))

	type key struct{ debtor, ccy string }
	var order []key
	seen := map[key]bool{}
	for _, p := range ps {
		k := key{"", p.Amount.Currency}
		if p.DebtorAccount.Number == debtors[0] {
			k.debtor = "CZ0801000000192000145399"
		} else {
			k.debtor = "CZ9701000000002198370339"
		}
		if !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
	}
	var got []string
	exchange := map[string]bool{}
	last := -1
	groupIdx := 0
	for i, r := range reqs {
		got = append(got, fmt.Sprintf("%s/%s:%v", r.DebtorIBAN, r.Currency, r.Payments))
		if r.Count > 3 {
			t.Errorf("request %d has %d items, MaxItems is 3", i, r.Count)
		}
		if exchange[r.ExchangeID()] {
			t.Errorf("exchange ID %s repeats", r.ExchangeID())
		}
		exchange[r.ExchangeID()] = true
		for _, idx := range r.Payments {
			p := ps[idx]
			if p.Amount.Currency != r.Currency {
				t.Errorf("request %d mixes currencies", i)
			}
		}
		if k := (key{r.DebtorIBAN, r.Currency}); k != order[groupIdx] {
			groupIdx++
			last = -1
			if k != order[groupIdx] {
				t.Fatalf("request %d is group %v, want %v", i, k, order[groupIdx])
			}
		}
		for _, idx := range r.Payments {
			if idx <= last {
				t.Errorf("request %d: payment %d after %d", i, idx, last)
			}
			last = idx
		}
	}
	want := []string{
		"CZ0801000000192000145399/CZK:[0 4 8]", "CZ0801000000192000145399/CZK:[12 16]",
		"CZ9701000000002198370339/CZK:[1 5 9]", "CZ9701000000002198370339/CZK:[13 17]",
		"CZ0801000000192000145399/EUR:[2 6 10]", "CZ0801000000192000145399/EUR:[14 18]",
		"CZ9701000000002198370339/EUR:[3 7 11]", "CZ9701000000002198370339/EUR:[15 19]",
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("split\n got %v\nwant %v", got, want)
	}
	// Deterministic: the same input gives the same bytes.
	again := encodeAll(t, testSource("mixed.xml"), Options{MaxItems: 3}, manyPayments(t, 20, debtors, []string{"CZK", "EUR"}))
	if !bytes.Equal(dumpRequests(again), dumpRequests(reqs)) {
		t.Error("encoding is not deterministic")
	}
}

func TestHeaders(t *testing.T) {
	src := testSource("Platby červen_2026 (final).kpc")
	ps := manyPayments(t, 3, []string{"19-2000145399"}, []string{"CZK"})
	reqs := encodeAll(t, src, Options{MaxItems: 2, ProcessingMode: ModeBatch}, ps)
	for i, r := range reqs {
		var buf [36]byte
		copy(buf[:], src.SHA256[:])
		binary.BigEndian.PutUint32(buf[32:], uint32(i+1))
		sum := sha256.Sum256(buf[:])
		if want := hex.EncodeToString(sum[:7]); r.ExchangeID() != want {
			t.Errorf("request %d exchange ID %q, want %q", i, r.ExchangeID(), want)
		}
		// "Platby červen_2026 (final).kpc" in KB-safe ASCII, cut to fit 35.
		want := fmt.Sprintf("Platby cerven-2026 (fina %x %d/2", src.SHA256[:3], i+1)
		if got := r.Headers[HeaderInstructionName]; got != want {
			t.Errorf("instruction name %q, want %q", got, want)
		}
		if r.Headers[HeaderProcessingMode] != "BATCH" || r.Method != "POST" || r.Path != "/directapi/batchda/v3/batchPayments" {
			t.Errorf("request line/mode: %s %s %s", r.Method, r.Path, r.Headers[HeaderProcessingMode])
		}
		for _, h := range []string{"Authorization", "x-correlation-id", "apiKey", "x-api-key"} {
			if _, ok := r.Headers[h]; ok {
				t.Errorf("header %s must be added by the bank client", h)
			}
		}
	}
	// Another file with the same name: other IDs, another visible name.
	other := encodeAll(t, Source{SHA256: sha256.Sum256([]byte("x")), Name: src.Name}, Options{MaxItems: 2}, ps)
	if other[0].ExchangeID() == reqs[0].ExchangeID() || other[0].Headers[HeaderInstructionName] == reqs[0].Headers[HeaderInstructionName] {
		t.Error("different files must have different exchange IDs and names")
	}
}

func TestInstructionNameLimits(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"", "erpconnector fd293e"},
		{"___", "erpconnector fd293e"},
		{"Žluťoučký kůň úpěl ďábelské ódy - dodavatelé.xml", "Zlutoucky kun upel dabelske fd293e"},
		{"a|b@c&d.csv", "a-b-c-d.csv fd293e"},
	} {
		e := NewEncoder(Source{SHA256: testSource("Dodavatele.kpc").SHA256, Name: tc.name}, Options{})
		got := e.instructionName(1, 1)
		if got != tc.want {
			t.Errorf("%q: name %q, want %q", tc.name, got, tc.want)
		}
		if len(got) > 35 {
			t.Errorf("%q: name %q longer than 35", tc.name, got)
		}
		for _, r := range got {
			if r >= 0x80 || !newTextSet("").allows(r) {
				t.Errorf("%q: name %q has %q", tc.name, got, r)
			}
		}
	}
	e := NewEncoder(Source{SHA256: testSource("x").SHA256, Name: strings.Repeat("dlouhy nazev ", 5)}, Options{})
	if got := e.instructionName(12, 345); len(got) > 35 || !strings.HasSuffix(got, " 12/345") {
		t.Errorf("long name: %q (%d)", got, len(got))
	}
}

func TestDuplicateInstructionID(t *testing.T) {
	ps := specPayments(t)
	ps[1].InstructionID = ps[0].InstructionID
	e := NewEncoder(testSource("dup"), Options{})
	if probs := e.Add(ps[0]); len(probs) != 0 {
		t.Fatal(probs)
	}
	got := problemStrings(e.Add(ps[1]))
	want := `5: paymentIdentification.instructionIdentification: "INV2026001" is already used by the payment at line 4 (AM05)`
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestBadOptions(t *testing.T) {
	for _, tc := range []struct {
		src  Source
		opts Options
		want string
	}{
		{testSource("a"), Options{ProcessingMode: "online"}, `invalid KB encoder options: processing mode "online" must be ONLINE, CONTINUOUS or BATCH`},
		{testSource("a"), Options{MaxItems: -1}, `invalid KB encoder options: MaxItems -1 must be positive (0 means 100)`},
		{testSource("a"), Options{ExtraTextChars: "\n"}, `invalid KB encoder options: ExtraTextChars may not contain '\n'`},
		{Source{Name: "a"}, Options{}, `invalid KB encoder options: the source file's SHA-256 is not set; request and payment IDs would repeat across files`},
	} {
		if err := tc.opts.Validate(); tc.src.SHA256 != ([32]byte{}) && !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: Validate = %v", tc.opts, err)
		}
		e := NewEncoder(tc.src, tc.opts)
		probs := e.Add(valid(t))
		if len(probs) != 1 || probs[0].Msg != tc.want {
			t.Errorf("%+v: problems %v, want %q", tc.opts, probs, tc.want)
		}
		if more := e.Add(valid(t)); len(more) != 0 {
			t.Errorf("the options problem is reported once, got %v", more)
		}
		if reqs := e.Requests(); reqs != nil {
			t.Errorf("invalid options must produce no requests, got %d", len(reqs))
		}
	}
}

func TestJSONStringEscaping(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "\x00\x1f\n\r\t", "<&>", "Příliš žluťoučký", "\u2028\u2029", "bad\xffutf8"} {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%q: %s is not a JSON string: %v", s, got, err)
			continue
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if back != want {
			t.Errorf("%q: round trip gave %q", s, back)
		}
		if bytes.Contains(got, []byte(`\u003c`)) {
			t.Errorf("%q: HTML-escaped: %s", s, got)
		}
	}
}
