package bijson

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// FuzzReader: the reader never panics and always ends; every problem has a
// line; every payment's position names its transaction; and a body that
// reads without problems and encodes without problems round-trips: reading
// the encoded body and encoding again gives the same bytes, with the body's
// paymentIds and amounts kept.
func FuzzReader(f *testing.F) {
	if b, err := os.ReadFile("testdata/roundtrip.json"); err == nil {
		f.Add(b)
	}
	if b, err := os.ReadFile("testdata/docs-example.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"requestId":"R","transactions":[{"paymentId":"P1","paymentDate":"2025-03-14","amount":"1.00","currency":"DKK","account":"80790000820049","creditorText":"x","creditorMessage":["a b","c"],"creditor":{"name":"N"}}]}`))
	f.Add([]byte(`{"transactions":[{"paymentId":"P1","paymentDate":"2025-03-14","amount":1000,"currency":"JPY","type":11,"account":"de89 3704 0044 0532 0130 00","creditor":{"name":"N","bic":"COBADEFF"}}],"options":{"useIban":true}}`))
	f.Add([]byte(`{"transactions":[{"paymentId":"P1","paymentDate":"2025-03-14","amount":1,"currency":"DKK","account":"+73<+81234567<","creditorMessage":[" ","x"],"creditor":{"name":"N"}}]}`))
	f.Add([]byte("\xef\xbb\xbf{\"transactions\":[5,{},[],null]}"))
	f.Add([]byte(`{"transactions":{"a":[{"b":[]}]},"x":1} {}`))
	f.Add([]byte(`{"transactions":[{"paymentId":"P1","paymentId":"P1","amount":-0.001}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := NewReader(bytes.NewReader(body), routeDebtor)
		var ps []*formats.Payment
		for i := 0; ; i++ {
			p, err := r.Next()
			if err != nil {
				if err != io.EOF {
					t.Fatalf("Next: %v", err)
				}
				break
			}
			if p == nil || p.Pos.Path != fmt.Sprintf("/transactions/%d", p.Index) || p.Pos.Line < 1 || p.Pos.Line > bytes.Count(body, []byte("\n"))+1 {
				t.Fatalf("payment %+v", p)
			}
			if len(ps) > 0 && p.Index <= ps[len(ps)-1].Index {
				t.Fatalf("index %d after %d", p.Index, ps[len(ps)-1].Index)
			}
			ps = append(ps, p)
		}
		for _, p := range r.Problems().List() {
			if p.Pos.Line < 1 || p.Msg == "" {
				t.Fatalf("problem without a line or message: %+v", p)
			}
		}
		if r.Problems().Len() > 0 || len(ps) == 0 {
			return
		}
		e := NewEncoder(testSource, DefaultOptions("MyERP"))
		for _, p := range ps {
			if len(e.Add(p)) > 0 {
				return
			}
		}
		first := e.Requests()
		var all []*formats.Payment
		for _, rq := range first {
			back, probs, _ := readAll(t, rq.Body, routeDebtor)
			if len(probs) > 0 {
				t.Fatalf("our own body has problems: %v\n%s", probs, rq.Body)
			}
			for i, p := range back {
				orig := ps[rq.Payments[i]]
				if p.InstructionID != orig.InstructionID || p.Amount != orig.Amount {
					t.Fatalf("payment %d: id %q amount %v, was %q %v", rq.Payments[i], p.InstructionID, p.Amount, orig.InstructionID, orig.Amount)
				}
				p.Index = rq.Payments[i]
			}
			all = append(all, back...)
		}
		second := encodeAll(t, testSource, DefaultOptions("MyERP"), all)
		if len(second) != len(first) {
			t.Fatalf("%d requests, then %d", len(first), len(second))
		}
		for i := range first {
			if !bytes.Equal(first[i].Body, second[i].Body) {
				t.Fatalf("round trip differs\n got %s\nwant %s", second[i].Body, first[i].Body)
			}
		}
	})
}

// FuzzAuthorization: a header built from any credentials and transactions
// either is refused with ErrCredentials/ErrAPIKey (without quoting a
// secret), or decodes to the inputs and carries hashes that an independent
// HMAC computation (key bytes by hand, payload by hand) reproduces; and
// changing the integration code makes it fail verification.
func FuzzAuthorization(f *testing.F) {
	f.Add([]byte{0x0f, 0x8f, 0xad, 0x5b, 0xd9, 0xcb, 0x46, 0x9f, 0xa1, 0x65, 0x70, 0x86, 0x77, 0x28, 0x95, 0x0e},
		"MyERP", "TestKode123", uint64(52470021527478), "REQ_01", "PAY_01", int64(15400), "80790000820049", int64(1432205123), false)
	f.Add([]byte("0123456789abcdef"), "ERP ÆØÅ <&>", "kode", uint64(1), "R-1", "P#1", int64(1), "+71<000100017156728+81234567<", int64(0), true)
	f.Add([]byte("short"), "", "", uint64(0), "", "", int64(0), "", int64(-62135596801), false)
	f.Add([]byte("0123456789abcdef"), "E", "k", uint64(99999999999999), "\xff", "p", int64(99), "a", int64(253402300800), false)
	f.Fuzz(func(t *testing.T, keyRaw []byte, erp, code string, acct uint64, reqID, payID string, minor int64, credacc string, unix int64, request bool) {
		if len(keyRaw) != 16 {
			keyRaw = append(keyRaw, make([]byte, 16)...)[:16]
		}
		g := hex.EncodeToString(keyRaw)
		c := Credentials{ERP: erp, APIKey: g[:8] + "-" + g[8:12] + "-" + g[12:16] + "-" + g[16:20] + "-" + g[20:],
			Account: fmt.Sprintf("%014d", acct%1e14), IntegrationCode: code}
		now := time.Unix(unix, 0)
		var txs []HashInput
		var h string
		var err error
		if request {
			h, err = RequestAuthorization(c, reqID, now)
		} else {
			txs = []HashInput{
				{PaymentID: payID, Currency: "DKK", PaymentDate: now.UTC().Format("20060102"), Amount: money.FormatMinor(minor, 2), CreditorAccount: credacc},
				{PaymentID: payID + "b", Currency: "EUR", PaymentDate: "20250314", Amount: "1.00", CreditorAccount: "DE89370400440532013000"},
			}
			h, err = PaymentAuthorization(c, reqID, txs, now)
		}
		if err != nil {
			if !errors.Is(err, ErrCredentials) && !errors.Is(err, ErrAPIKey) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if len(code) >= 4 && strings.Contains(err.Error(), code) || strings.Contains(err.Error(), c.APIKey) {
				t.Fatalf("error quotes a secret: %v", err)
			}
			return
		}
		hd, err := DecodeAuthorization(h)
		if err != nil {
			t.Fatalf("our header does not decode: %v", err)
		}
		if hd.ServiceProvider != erp || hd.Account != c.Account || hd.RequestID != reqID || hd.Time != now.UTC().Format("2006-01-02T15:04:05") {
			t.Fatalf("header %+v", hd)
		}
		// Independent recomputation.
		var key [16]byte
		binary.LittleEndian.PutUint32(key[0:], binary.BigEndian.Uint32(keyRaw[0:]))
		binary.LittleEndian.PutUint16(key[4:], binary.BigEndian.Uint16(keyRaw[4:]))
		binary.LittleEndian.PutUint16(key[6:], binary.BigEndian.Uint16(keyRaw[6:]))
		copy(key[8:], keyRaw[8:])
		tok := sha256.Sum256([]byte(code))
		nowS := now.UTC().Format("20060102150405")
		sign := func(fields ...string) string {
			m := hmac.New(sha256.New, key[:])
			m.Write([]byte(strings.Join(fields, "#")))
			return base64.StdEncoding.EncodeToString(m.Sum(nil))
		}
		if request {
			if len(hd.Hash) != 1 || hd.Hash[0].ID != reqID ||
				hd.Hash[0].Hash != sign(hex.EncodeToString(tok[:]), c.Account, "", reqID, "", "", "", erp, reqID, nowS) {
				t.Fatalf("request hash %+v", hd.Hash)
			}
		} else {
			if len(hd.Hash) != len(txs) {
				t.Fatalf("%d hashes", len(hd.Hash))
			}
			for i, x := range txs {
				if hd.Hash[i].ID != x.PaymentID ||
					hd.Hash[i].Hash != sign(hex.EncodeToString(tok[:]), c.Account, x.Currency, reqID, x.PaymentDate, x.Amount, x.CreditorAccount, erp, x.PaymentID, nowS) {
					t.Fatalf("hash %d %+v", i, hd.Hash[i])
				}
			}
		}
		if err := Verify(hd, c, txs); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		c.IntegrationCode += "x"
		if err := Verify(hd, c, txs); !errors.Is(err, ErrAuthorization) {
			t.Fatalf("Verify with another code = %v", err)
		}
	})
}

// FuzzRemittance: whatever the text, the transaction texts respect the
// limits, and a text that fits 140 characters on one line is never refused.
func FuzzRemittance(f *testing.F) {
	for _, s := range []string{"", "Faktura 12", strings.Repeat("abcdefghijklmnopqrst ", 7), "a\nb\r\nc", "\nx", "æøå \t æ", strings.Repeat("x", 141)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, u string) {
		ctext, msg, field, err := remittance(u, DefaultLimits)
		if err != nil {
			if field != "creditorText" && field != "creditorMessage" {
				t.Fatalf("field %q", field)
			}
			if c, e := cleanLine(u); e == nil && !strings.ContainsAny(u, "\r\n") && runes(c) <= 140 {
				t.Fatalf("a one-line text of %d characters refused: %v", runes(c), err)
			}
			return
		}
		if runes(ctext) > DefaultLimits.CreditorText || len(msg) > DefaultLimits.MessageLines {
			t.Fatalf("limits exceeded: %q %q", ctext, msg)
		}
		for _, l := range msg {
			if runes(l) > DefaultLimits.MessageLine || l == "" || strings.ContainsAny(l, "\r\n") {
				t.Fatalf("bad line %q", l)
			}
		}
		// What the reader makes of the result encodes to the same fields.
		if ctext != "" || len(msg) > 0 {
			c2, m2, _, err := remittance(ctext+"\n"+strings.Join(msg, "\n"), DefaultLimits)
			if err != nil || c2 != ctext || strings.Join(m2, "\n") != strings.Join(msg, "\n") {
				t.Fatalf("not stable: %q %q → %q %q %v", ctext, msg, c2, m2, err)
			}
		}
	})
}
