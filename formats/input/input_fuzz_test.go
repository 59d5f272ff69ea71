package input

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"

	"erpconnector/formats"
	"erpconnector/formats/csvpay"
)

// fuzzMapping is the Danish ERP mapping the CSV reader's tests ship.
func fuzzMapping(f *testing.F) *csvpay.Mapping {
	var doc struct {
		CSV map[string]csvpay.Mapping `toml:"csv"`
	}
	if _, err := toml.DecodeFile("../csvpay/testdata/danish-erp.toml", &doc); err != nil {
		f.Fatal(err)
	}
	m, ok := doc.CSV["danish-erp"]
	if !ok {
		f.Fatal("danish-erp mapping missing")
	}
	return &m
}

// FuzzOpen is format detection plus whichever reader it picks, read to the
// end as the daemon does. Whatever the bytes: no panic; Open in auto mode
// picks exactly the kind Detect names for the file's head, and fails exactly
// when Detect does; a byte-order mark or leading blank lines never change the
// kind; Next ends with io.EOF (the source is in memory, so any other error is
// a bug); problems are bounded and each says something.
func FuzzOpen(f *testing.F) {
	for _, p := range []string{"../../testdata/samples/*", "../../testdata/convert/*.xml", "../../testdata/convert/*.json"} {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b, true)
			}
		}
	}
	for _, s := range []string{"", " \r\n", "\xef\xbb\xbf<", "UHL1", "{}", `{"transactions":[]}`,
		`{"batchPaymentDataCollectionRequest":{}}`, `{"a":[1,{"b":2}],"transactions":1}`, `{"a":`, "a;b\n1;2\n"} {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	m := fuzzMapping(f)
	f.Fuzz(func(t *testing.T, data []byte, haveCSV bool) {
		opts := Options{BIDebtor: formats.Account{Number: "52470021527478", Country: "DK"}}
		if haveCSV {
			opts.CSV = m
		}
		head := data[:min(len(data), sniffSize)]
		want, derr := Detect(head, haveCSV)
		if derr == nil && !bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
			if again, _ := Detect(append([]byte("\xef\xbb\xbf\r\n "), head...), haveCSV); again != want {
				t.Fatalf("a BOM and blank lines changed the kind from %s to %s", want, again)
			}
		}
		rd, kind, err := Open(Auto, bytes.NewReader(data), opts)
		if derr != nil {
			if err == nil || !errors.Is(err, ErrUnknownFormat) {
				t.Fatalf("Detect failed (%v) but Open gave %v", derr, err)
			}
			return
		}
		if err != nil {
			if kind == "" && want == KindCSV {
				return // a mapping that cannot read this header: reported, not read
			}
			t.Fatalf("Detect said %s, Open failed: %v", want, err)
		}
		if kind != want {
			t.Fatalf("Open read a %s file as %s", want, kind)
		}
		n := 0
		for {
			p, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("Next on an in-memory %s file: %v", kind, err)
			}
			if p == nil {
				t.Fatal("Next returned no payment and no error")
			}
			if n++; n > len(data)+1 {
				t.Fatalf("%d payments from %d bytes", n, len(data))
			}
		}
		ps := rd.Problems()
		if len(ps.List()) > formats.MaxProblems {
			t.Fatalf("%d problems kept, more than MaxProblems", len(ps.List()))
		}
		for _, p := range ps.List() {
			if p.Msg == "" || p.Pos.Line < 0 {
				t.Fatalf("%s problem without a message or with a negative line: %#v", kind, p)
			}
		}
	})
}
