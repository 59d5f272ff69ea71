package kbjson

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"erpconnector/formats"
)

func FuzzReader(f *testing.F) {
	f.Add([]byte(specBodyPretty))
	f.Add([]byte(specBody))
	f.Add([]byte(`{"batchPaymentDataCollectionRequest":[{"paymentIdentification":{"instructionIdentification":"X"},"amount":{"instructedAmount":{"value":1,"currency":"JPY"}},"requestedExecutionDate":"2026-01-01","debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"}},"creditorAccount":{"identification":{"iban":"cz55 0800 0000 0012 3456 7899"}},"remittanceInformation":{"structured":{"creditorReferenceInformation":{"reference":"VS:007"}}}}]}`))
	f.Add([]byte(`{"batchPaymentDataCollectionRequest":[{"amount":{"instructedAmount":{"value":1e3,"currency":"CZK"}},"foo":[{"a":null}],"debtor":{"name":"x"}}],"x":1}`))
	f.Add([]byte("{\"batchPaymentDataCollectionRequest\":[\n{\"a~/b\":1},\n\"x\",\n{\"amount\":}\n]}"))
	f.Add([]byte(`{"batchPaymentDataCollectionRequest":[]}{}`))
	f.Add([]byte("\xef\xbb\xbf[1,2"))
	f.Fuzz(checkReaderInput)
}

// checkReaderInput asserts the reader's invariants for one input.
func checkReaderInput(t *testing.T, data []byte) {
	{
		r := NewReader(bytes.NewReader(data))
		var ps []*formats.Payment
		for calls := 0; ; calls++ {
			if calls > len(data)+1 {
				t.Fatalf("Next did not end after %d calls", calls)
			}
			p, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v (a bytes.Reader has no I/O errors)", err)
			}
			if p.Index != len(ps) || p.Pos.Path != "/batchPaymentDataCollectionRequest/"+strconv.Itoa(p.Index) || p.Pos.Line < 1 {
				t.Fatalf("payment %d at %+v", p.Index, p.Pos)
			}
			ps = append(ps, p)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Fatalf("Next after io.EOF: %v", err)
		}
		lines := bytes.Count(data, []byte{'\n'}) + 1
		probs := r.Problems().List()
		for _, p := range probs {
			if p.Pos.Line < 1 || p.Pos.Line > lines {
				t.Fatalf("problem %q at line %d of %d", p.Msg, p.Pos.Line, lines)
			}
			if p.Pos.Path != "" && !strings.HasPrefix(p.Pos.Path, "/") {
				t.Fatalf("problem %q at path %q", p.Msg, p.Pos.Path)
			}
			if p.Msg == "" {
				t.Fatal("problem without a message")
			}
		}
		if len(probs) > 0 {
			return
		}
		if len(ps) == 0 {
			t.Fatal("a body without payments must be a problem")
		}
		// Accepted by the reader means accepted by the encoder, and the
		// encoder's output is a fixed point of read + encode.
		src := testSource("fuzz")
		e := NewEncoder(src, Options{MaxItems: 3})
		for _, p := range ps {
			if probs := e.Add(p); len(probs) > 0 {
				t.Fatalf("reader accepted what the encoder rejects: %v", probs)
			}
		}
		for _, req := range e.Requests() {
			if !json.Valid(req.Body) {
				t.Fatalf("invalid JSON written: %s", req.Body)
			}
			back, err := readAllQuiet(req.Body)
			if err != "" {
				t.Fatalf("reading our own body: %s\n%s", err, req.Body)
			}
			e2 := NewEncoder(src, Options{MaxItems: 3})
			for _, p := range back {
				if probs := e2.Add(p); len(probs) > 0 {
					t.Fatalf("re-encode: %v", probs)
				}
			}
			again := e2.Requests()
			if len(again) != 1 || !bytes.Equal(again[0].Body, req.Body) {
				t.Fatalf("not a fixed point:\n%s\n%s", req.Body, again[0].Body)
			}
		}
	}
}

// FuzzEncodeText feeds arbitrary text into the fields that carry it: either
// the encoder explains the problem at the payment's position, or the body is
// valid JSON that reads back to the same text.
func FuzzEncodeText(f *testing.F) {
	f.Add("INV2026001", "", "Faktura 2026001", "Dodavatel s.r.o.", "0002026001", "")
	f.Add("", "E2E", "Záloha č. 5 (červen)", "Novák & syn \"Q\"", "", "0")
	f.Add("a\"b\\c", "NOTPROVIDED", "ř\u2028", "\x00", "12345678901", "x")
	f.Add(strings.Repeat("A", 35), strings.Repeat("B", 36), strings.Repeat("ž", 140), "\xff", "99", "0308")
	f.Fuzz(func(t *testing.T, id, e2e, text, name, vs, ks string) {
		p := valid(t)
		p.Pos = formats.Pos{Line: 7}
		p.InstructionID, p.EndToEndID = id, e2e
		p.Remittance.Unstructured, p.Creditor.Name = text, name
		p.Remittance.VS, p.Remittance.KS, p.Remittance.SS = vs, ks, ""
		e := NewEncoder(testSource("fuzz"), Options{})
		if probs := e.Add(p); len(probs) > 0 {
			for _, pr := range probs {
				if pr.Pos != p.Pos || pr.Field == "" || pr.Msg == "" {
					t.Fatalf("problem not positioned: %+v", pr)
				}
			}
			if len(e.Requests()) != 0 {
				t.Fatal("a payment with problems was queued")
			}
			return
		}
		reqs := e.Requests()
		if len(reqs) != 1 || !json.Valid(reqs[0].Body) {
			t.Fatalf("bad output: %d requests", len(reqs))
		}
		back, err := readAllQuiet(reqs[0].Body)
		if err != "" || len(back) != 1 {
			t.Fatalf("reading back: %s", err)
		}
		q := back[0]
		wantID := id
		if wantID == "" && e2e != "NOTPROVIDED" {
			wantID = e2e
		}
		if wantID != "" && q.InstructionID != wantID {
			t.Fatalf("instruction ID %q read back as %q", wantID, q.InstructionID)
		}
		if q.Remittance.Unstructured != text || q.Creditor.Name != name {
			t.Fatalf("text %q/%q read back as %q/%q", text, name, q.Remittance.Unstructured, q.Creditor.Name)
		}
		for _, c := range []struct{ in, out string }{{vs, q.Remittance.VS}, {ks, q.Remittance.KS}} {
			if strings.TrimLeft(c.in, "0") != c.out {
				t.Fatalf("symbol %q read back as %q", c.in, c.out)
			}
		}
	})
}

func readAllQuiet(body []byte) ([]*formats.Payment, string) {
	r := NewReader(bytes.NewReader(body))
	var ps []*formats.Payment
	for {
		p, err := r.Next()
		if err != nil {
			break
		}
		ps = append(ps, p)
	}
	var msgs []string
	for _, p := range r.Problems().List() {
		msgs = append(msgs, p.String())
	}
	return ps, strings.Join(msgs, "; ")
}
