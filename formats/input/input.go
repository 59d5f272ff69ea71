// Package input recognises an input file's format and opens the matching
// reader. It is pure: it sees only the bytes it is given.
package input

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"erpconnector/formats"
	"erpconnector/formats/abo"
	"erpconnector/formats/bijson"
	"erpconnector/formats/csvpay"
	"erpconnector/formats/kbjson"
	"erpconnector/formats/pain001"
)

// Format is an input format as the configuration and the CLI name it.
type Format string

const (
	Auto    Format = "auto"
	Pain001 Format = "pain.001"
	ABO     Format = "abo"
	CSV     Format = "csv"
	JSON    Format = "json" // a KB BATCHDA body or a BankIntegration /payment body, told apart by content
)

// Kind names what a file turned out to be, as status files report it.
const (
	KindPain001 = "pain.001"
	KindKPC     = "KPC"
	KindCSV     = "CSV"
	KindKBJSON  = "KB-JSON"
	KindBIJSON  = "BI-JSON"
)

// ErrUnknownFormat is returned when auto-detection cannot tell the format.
var ErrUnknownFormat = errors.New("cannot tell the file's format")

// Options carries what some formats need beyond the bytes.
type Options struct {
	CSV         *csvpay.Mapping // required for CSV
	ABOEncoding abo.Encoding
	BIDebtor    formats.Account // debtor of BankIntegration passthrough files (the body does not name it)
}

// sniffSize is how much of the file detection may look at.
const sniffSize = 64 << 10

// Open detects the format when f is Auto and returns a reader for r, with the
// kind of file found.
func Open(f Format, r io.Reader, opts Options) (formats.PaymentReader, string, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	if f == Auto || f == JSON {
		head, _ := br.Peek(sniffSize) // a short file gives a short head and io.EOF
		d, err := detect(head, opts.CSV != nil)
		if err != nil {
			return nil, "", err
		}
		if f == JSON && d != KindKBJSON && d != KindBIJSON {
			return nil, "", fmt.Errorf("%w: not a KB BATCHDA or BankIntegration JSON body", ErrUnknownFormat)
		}
		return open(d, br, opts)
	}
	switch f {
	case Pain001:
		return open(KindPain001, br, opts)
	case ABO:
		return open(KindKPC, br, opts)
	case CSV:
		return open(KindCSV, br, opts)
	}
	return nil, "", fmt.Errorf("unknown input format %q", f)
}

func open(kind string, r io.Reader, opts Options) (formats.PaymentReader, string, error) {
	switch kind {
	case KindPain001:
		return pain001.NewReader(r), kind, nil
	case KindKPC:
		return abo.NewReader(r, abo.Options{Encoding: opts.ABOEncoding}), kind, nil
	case KindCSV:
		if opts.CSV == nil {
			return nil, "", errors.New("a CSV file needs a mapping: name one with the route's csv key or --csv")
		}
		rd, err := csvpay.NewReader(r, opts.CSV)
		if err != nil {
			return nil, "", err
		}
		return rd, kind, nil
	case KindKBJSON:
		return kbjson.NewReader(r), kind, nil
	case KindBIJSON:
		return bijson.NewReader(r, opts.BIDebtor), kind, nil
	}
	return nil, "", fmt.Errorf("unknown input kind %q", kind)
}

// Detect tells the kind of a file from its first bytes: XML is pain.001 (the
// reader rejects other namespaces by name), "UHL1" is a KPC file, a JSON object
// with batchPaymentDataCollectionRequest is a KB body and one with
// transactions a BankIntegration body. Anything else is CSV when a mapping is
// available.
func Detect(head []byte, haveCSV bool) (string, error) { return detect(head, haveCSV) }

func detect(head []byte, haveCSV bool) (string, error) {
	h := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	h = bytes.TrimLeft(h, " \t\r\n")
	switch {
	case len(h) == 0:
		return "", fmt.Errorf("%w: the file is empty", ErrUnknownFormat)
	case h[0] == '<':
		return KindPain001, nil
	case bytes.HasPrefix(h, []byte("UHL1")):
		return KindKPC, nil
	case h[0] == '{':
		switch jsonKind(h) {
		case KindKBJSON:
			return KindKBJSON, nil
		case KindBIJSON:
			return KindBIJSON, nil
		}
		return "", fmt.Errorf("%w: a JSON object without batchPaymentDataCollectionRequest (KB) or transactions (BankIntegration)", ErrUnknownFormat)
	case haveCSV:
		return KindCSV, nil
	}
	return "", fmt.Errorf("%w: not XML, not ABO/KPC (UHL1), not JSON; a CSV file needs a mapping", ErrUnknownFormat)
}

// jsonKind walks the top-level keys of the object at the start of h.
func jsonKind(h []byte) string {
	dec := json.NewDecoder(bytes.NewReader(h))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ""
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t {
		case "batchPaymentDataCollectionRequest":
			return KindKBJSON
		case "transactions":
			return KindBIJSON
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return ""
		}
	}
	return ""
}
