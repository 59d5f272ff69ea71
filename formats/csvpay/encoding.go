package csvpay

import (
	"fmt"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

// fileEncoding is a supported input encoding; enc is nil for UTF-8, which is
// read as is (and checked per field).
type fileEncoding struct {
	name string
	enc  encoding.Encoding
}

var encodings = []struct {
	names []string
	enc   encoding.Encoding
}{
	{[]string{"utf-8", "utf8"}, nil},
	{[]string{"windows-1252", "cp1252"}, charmap.Windows1252},
	{[]string{"iso-8859-1", "latin1"}, charmap.ISO8859_1},
	{[]string{"windows-1250", "cp1250"}, charmap.Windows1250},
	{[]string{"iso-8859-2", "latin2"}, charmap.ISO8859_2},
	{[]string{"cp852", "ibm852"}, charmap.CodePage852},
}

func lookupEncoding(name string) (fileEncoding, error) {
	if name == "" {
		return fileEncoding{name: "utf-8"}, nil
	}
	var known []string
	for _, e := range encodings {
		for _, n := range e.names {
			if strings.EqualFold(name, n) {
				return fileEncoding{name: e.names[0], enc: e.enc}, nil
			}
		}
		known = append(known, e.names[0])
	}
	return fileEncoding{}, fmt.Errorf("unknown encoding %q (known: %s)", name, strings.Join(known, ", "))
}
